package dev.waituntil.agent.instrumentation.spring;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/**
 * Spring Boot 3's {@code TomcatWebServer.stop()}. Spring calls it when the application context closes,
 * after its graceful phase and before it destroys the beans; since Spring Boot 3.2 Tomcat itself only
 * stops later, in {@code destroy()}, after the beans are gone. The drain runs here, so that tasks can
 * still use the beans.
 */
public final class TomcatWebServerStopInstrumentation extends LifecycleHookPoint {

    public TomcatWebServerStopInstrumentation() {
        super("org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "stop", WebServerStopAdvice.class);
    }
}
