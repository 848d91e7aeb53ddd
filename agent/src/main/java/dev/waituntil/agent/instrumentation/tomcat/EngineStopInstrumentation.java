package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/**
 * {@code ContainerBase.stopInternal()} of the Engine (the Engine declares no stop of its own): Tomcat
 * has paused the connectors (no new requests; those in flight go on) and has stopped no application
 * yet. The server-wide drain runs here, so the set of pending tasks converges.
 */
public final class EngineStopInstrumentation extends LifecycleHookPoint {

    public EngineStopInstrumentation() {
        super("org.apache.catalina.core.ContainerBase", "stopInternal", EngineStopAdvice.class);
    }
}
