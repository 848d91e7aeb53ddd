package dev.waituntil.agent.instrumentation.tomcat;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of Tomcat's {@code StandardServer.stopInternal()}. */
public final class ServerStopAdvice {

    private ServerStopAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object server) {
        ContainerHooks.tomcatServerStopping(server);
    }
}
