package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/**
 * {@code StandardServer.stopInternal()}: every way to stop Tomcat (SIGTERM through Catalina's shutdown
 * hook, the shutdown port, {@code catalina.sh stop}, jsvc, embedded {@code Tomcat.stop()}) comes here
 * first, while connectors still accept and every application is alive. Shutdown is certain: the
 * drain's deadline starts.
 */
public final class ServerStopInstrumentation extends LifecycleHookPoint {

    public ServerStopInstrumentation() {
        super("org.apache.catalina.core.StandardServer", "stopInternal", ServerStopAdvice.class);
    }
}
