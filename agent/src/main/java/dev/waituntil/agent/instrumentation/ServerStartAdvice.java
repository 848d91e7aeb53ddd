package dev.waituntil.agent.instrumentation;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of a server's start (Tomcat's and Jetty's): a restart in the same JVM reopens the runtime. */
public final class ServerStartAdvice {

    private ServerStartAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object server) {
        ContainerHooks.serverStarting(server);
    }
}
