package dev.waituntil.agent.instrumentation.servlet;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import dev.waituntil.bootstrap.ServletHooks;

/** Inlined into {@code ServletRequest.startAsync}: tells the agent the request now outlives {@code service}. */
public final class StartAsyncAdvice {

    private StartAsyncAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object request,
                     @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object asyncContext) {
        ServletHooks.asyncStarted(request, asyncContext);
    }
}
