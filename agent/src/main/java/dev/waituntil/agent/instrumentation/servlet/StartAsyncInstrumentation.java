package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code ServletRequest.startAsync()}: from here the request's scope lives until the async request completes. */
public final class StartAsyncInstrumentation extends ServletHookPoint {

    public StartAsyncInstrumentation(String servletPackage) {
        super(servletPackage, "ServletRequest", "startAsync");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method()).and(not(isAbstract())).and(returns(named(api("AsyncContext"))));
    }

    @Override
    public Class<?> advice() {
        return StartAsyncAdvice.class;
    }
}
