package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import dev.waituntil.agent.instrumentation.HookPoint;

/** {@code ServletRequest.startAsync()}: from here the request's scope lives until the async request completes. */
public final class StartAsyncInstrumentation implements HookPoint {

    private final String servletPackage;

    public StartAsyncInstrumentation(String servletPackage) {
        this.servletPackage = servletPackage;
    }

    @Override
    public String name() {
        return servletPackage + ".ServletRequest.startAsync";
    }

    @Override
    public String requiredClass() {
        return servletPackage + ".ServletRequest";
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return not(isInterface()).and(hasSuperType(named(servletPackage + ".ServletRequest")));
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named("startAsync").and(not(isAbstract())).and(returns(named(servletPackage + ".AsyncContext")));
    }

    @Override
    public Class<?> advice() {
        return StartAsyncAdvice.class;
    }
}
