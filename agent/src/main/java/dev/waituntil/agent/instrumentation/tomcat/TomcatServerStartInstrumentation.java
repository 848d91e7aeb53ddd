package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code StandardServer.startInternal()}: a Tomcat server starts. If an earlier server of this JVM was
 * stopped (and drained), the runtime accepts tasks again: a devtools restart, a test suite.
 */
public final class TomcatServerStartInstrumentation extends LifecycleHookPoint {

    public TomcatServerStartInstrumentation() {
        super("org.apache.catalina.core.StandardServer", "startInternal", StartAdvice.class);
    }

    /** Inlined at the entry of the server's start. */
    public static final class StartAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object server) {
            ContainerHooks.serverStarting(server);
        }
    }
}
