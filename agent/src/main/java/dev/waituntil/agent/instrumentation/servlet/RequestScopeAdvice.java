package dev.waituntil.agent.instrumentation.servlet;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ServletHooks;

/**
 * Inlined into {@code service} and {@code doFilter}. References only the bootstrap hooks, which every
 * class loader can see; the request is passed as {@code Object}, so the same advice serves javax and
 * jakarta. The exit runs on exceptions too, so no scope is ever left on a pooled thread.
 */
public final class RequestScopeAdvice {

    private RequestScopeAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(0) Object request) {
        ServletHooks.enter(request);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit() {
        ServletHooks.exit();
    }
}
