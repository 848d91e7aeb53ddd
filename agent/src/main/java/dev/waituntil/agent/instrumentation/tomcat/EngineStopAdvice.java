package dev.waituntil.agent.instrumentation.tomcat;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of Tomcat's {@code ContainerBase.stopInternal()}; the agent acts for the Engine only. */
public final class EngineStopAdvice {

    private EngineStopAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object container) {
        ContainerHooks.tomcatContainerStopping(container);
    }
}
