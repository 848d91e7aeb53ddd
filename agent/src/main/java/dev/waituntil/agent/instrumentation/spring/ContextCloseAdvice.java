package dev.waituntil.agent.instrumentation.spring;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of Spring's {@code AbstractApplicationContext.doClose()}. */
public final class ContextCloseAdvice {

    private ContextCloseAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object context) {
        ContainerHooks.springContextClosing(context);
    }
}
