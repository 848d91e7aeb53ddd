package dev.waituntil.agent.instrumentation.spring;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/** Spring Boot 3's {@code JettyWebServer.stop()}: as {@link TomcatWebServerStopInstrumentation}, for Jetty. */
public final class JettyWebServerStopInstrumentation extends LifecycleHookPoint {

    public JettyWebServerStopInstrumentation() {
        super("org.springframework.boot.web.embedded.jetty.JettyWebServer", "stop", WebServerStopAdvice.class);
    }
}
