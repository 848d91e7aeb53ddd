package dev.waituntil.agent.instrumentation.servlet;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ServletHooks;

/** Inlined into {@code AsyncContext.start}: replaces the runnable with one that carries the request's scope. */
public final class AsyncContextStartAdvice {

    private AsyncContextStartAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
        task = ServletHooks.propagate(task);
    }
}
