package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import dev.waituntil.bootstrap.ServletHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code ServletRequest.startAsync()}: from here the request's scope lives until the async request completes. */
public final class ServletStartAsyncInstrumentation extends ServletHookPoint {

    public ServletStartAsyncInstrumentation(String servletPackage) {
        super(servletPackage, "ServletRequest", "startAsync");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method()).and(not(isAbstract())).and(returns(named(api("AsyncContext"))));
    }

    @Override
    public Class<?> advice() {
        return AsyncStartedAdvice.class;
    }

    /** Inlined into {@code ServletRequest.startAsync}: tells the agent the request now outlives {@code service}. */
    public static final class AsyncStartedAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(
                @Advice.This Object request, @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object asyncContext) {
            ServletHooks.asyncStarted(request, asyncContext);
        }
    }
}
