package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code StandardServer.stopInternal()}: every way to stop Tomcat (SIGTERM through Catalina's shutdown
 * hook, the shutdown port, {@code catalina.sh stop}, jsvc, embedded {@code Tomcat.stop()}) comes here
 * first, while connectors still accept and every application is alive. Shutdown is certain: the
 * drain's deadline starts.
 */
public final class TomcatServerStopInstrumentation extends LifecycleHookPoint {

    public TomcatServerStopInstrumentation() {
        super("org.apache.catalina.core.StandardServer", "stopInternal", StopAdvice.class);
    }

    /** Inlined at the entry of the server's stop. */
    public static final class StopAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object server) {
            ContainerHooks.tomcatServerStopping(server);
        }
    }
}
