package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.instrumentation.LifecycleHookPoint;
import dev.waituntil.agent.instrumentation.ServerStartAdvice;

/** {@code Server.doStart()}: a Jetty server starts; after an earlier stop in this JVM, the runtime reopens. */
public final class ServerStartInstrumentation extends LifecycleHookPoint {

    public ServerStartInstrumentation() {
        super("org.eclipse.jetty.server.Server", "doStart", ServerStartAdvice.class);
    }
}
