package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import dev.waituntil.agent.instrumentation.HookPoint;

/**
 * {@code Filter.doFilter(ServletRequest, ServletResponse, FilterChain)}: a filter runs before the
 * servlet, so a task it registers belongs to the request too. The same advice as
 * {@link ServletServiceInstrumentation}; the call depth makes the chain one scope.
 */
public final class FilterInstrumentation implements HookPoint {

    private final String servletPackage;

    public FilterInstrumentation(String servletPackage) {
        this.servletPackage = servletPackage;
    }

    @Override
    public String name() {
        return servletPackage + ".Filter.doFilter";
    }

    @Override
    public String requiredClass() {
        return servletPackage + ".Filter";
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return not(isInterface()).and(hasSuperType(named(servletPackage + ".Filter")));
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named("doFilter").and(not(isAbstract())).and(takesArguments(3))
                .and(takesArgument(0, named(servletPackage + ".ServletRequest")))
                .and(takesArgument(1, named(servletPackage + ".ServletResponse")))
                .and(takesArgument(2, named(servletPackage + ".FilterChain")));
    }

    @Override
    public Class<?> advice() {
        return RequestScopeAdvice.class;
    }
}
