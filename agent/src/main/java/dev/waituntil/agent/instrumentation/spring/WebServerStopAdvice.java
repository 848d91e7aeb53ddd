package dev.waituntil.agent.instrumentation.spring;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of Spring Boot's {@code WebServer.stop()} for Tomcat and Jetty. */
public final class WebServerStopAdvice {

    private WebServerStopAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object webServer) {
        ContainerHooks.springWebServerStopping(webServer);
    }
}
