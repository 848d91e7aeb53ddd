package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code Filter.doFilter(ServletRequest, ServletResponse, FilterChain)}: a filter runs before the
 * servlet, so a task it registers belongs to the request too. The same advice as
 * {@link ServletServiceInstrumentation}; the call depth makes the chain one scope.
 */
public final class ServletFilterInstrumentation extends ServletHookPoint {

    public ServletFilterInstrumentation(String servletPackage) {
        super(servletPackage, "Filter", "doFilter");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method())
                .and(not(isAbstract()))
                .and(takesArguments(3))
                .and(takesArgument(0, named(api("ServletRequest"))))
                .and(takesArgument(1, named(api("ServletResponse"))))
                .and(takesArgument(2, named(api("FilterChain"))));
    }

    @Override
    public Class<?> advice() {
        return ServletServiceInstrumentation.RequestScopeAdvice.class;
    }
}
