package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/**
 * {@code Server.doStop()} (Jetty 9.4 to 12): SIGTERM through the shutdown thread, {@code start.jar --stop}
 * and embedded {@code Server.stop()} all come here. In every version the connectors close and only then
 * the contexts stop, so this entry is the one point before the connectors close: the agent makes them
 * stop accepting and drains here.
 */
public final class ServerStopInstrumentation extends LifecycleHookPoint {

    public ServerStopInstrumentation() {
        super("org.eclipse.jetty.server.Server", "doStop", ServerStopAdvice.class);
    }
}
