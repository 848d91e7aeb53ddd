package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/** {@code Server.doStart()}: a Jetty server starts; after an earlier stop in this JVM, the runtime reopens. */
public final class JettyServerStartInstrumentation extends LifecycleHookPoint {

    public JettyServerStartInstrumentation() {
        super("org.eclipse.jetty.server.Server", "doStart", StartAdvice.class);
    }

    /** Inlined at the entry of the server's start. */
    public static final class StartAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object server) {
            ContainerHooks.serverStarting(server);
        }
    }
}
