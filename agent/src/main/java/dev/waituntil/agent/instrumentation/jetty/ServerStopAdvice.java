package dev.waituntil.agent.instrumentation.jetty;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of Jetty's {@code Server.doStop()}. */
public final class ServerStopAdvice {

    private ServerStopAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object server) {
        ContainerHooks.jettyServerStopping(server);
    }
}
