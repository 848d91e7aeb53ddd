package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;
import dev.waituntil.agent.instrumentation.ServerStartAdvice;

/**
 * {@code StandardServer.startInternal()}: a Tomcat server starts. If an earlier server of this JVM was
 * stopped (and drained), the runtime accepts tasks again: a devtools restart, a test suite.
 */
public final class ServerStartInstrumentation extends LifecycleHookPoint {

    public ServerStartInstrumentation() {
        super("org.apache.catalina.core.StandardServer", "startInternal", ServerStartAdvice.class);
    }
}
