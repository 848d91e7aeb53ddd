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
 * {@code Servlet.service(ServletRequest, ServletResponse)}: the outermost call opens the request
 * scope, and it is closed when that call ends, by return or by exception. Parametrised by the
 * servlet package, so one class serves {@code javax.servlet} and {@code jakarta.servlet}.
 */
public final class ServletServiceInstrumentation implements HookPoint {

    private final String servletPackage;

    public ServletServiceInstrumentation(String servletPackage) {
        this.servletPackage = servletPackage;
    }

    @Override
    public String name() {
        return servletPackage + ".Servlet.service";
    }

    @Override
    public String requiredClass() {
        return servletPackage + ".Servlet";
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return not(isInterface()).and(hasSuperType(named(servletPackage + ".Servlet")));
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named("service").and(not(isAbstract())).and(takesArguments(2))
                .and(takesArgument(0, named(servletPackage + ".ServletRequest")))
                .and(takesArgument(1, named(servletPackage + ".ServletResponse")));
    }

    @Override
    public Class<?> advice() {
        return RequestScopeAdvice.class;
    }
}
