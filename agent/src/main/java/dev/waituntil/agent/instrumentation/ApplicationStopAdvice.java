package dev.waituntil.agent.instrumentation;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of a container's per-application stop (Tomcat's and Jetty's): drains that application. */
public final class ApplicationStopAdvice {

    private ApplicationStopAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object context) {
        ContainerHooks.applicationStopping(context);
    }
}
