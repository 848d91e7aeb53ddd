package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.agent.hook.ServerDrain;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;
import org.slf4j.Logger;

/**
 * {@code StandardServer.stopInternal()}: every way to stop Tomcat (SIGTERM through Catalina's shutdown
 * hook, the shutdown port, {@code catalina.sh stop}, jsvc, embedded {@code Tomcat.stop()}) comes here
 * first, while connectors still accept and every application is alive. Shutdown is certain: the
 * drain's deadline starts.
 */
public final class TomcatServerStopInstrumentation extends LifecycleHookPoint {

    private static final Logger LOG = AgentLog.get(TomcatServerStopInstrumentation.class);

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

    /**
     * Shutdown is certain from here: the deadline starts now. The wait itself comes when the engine stops, after
     * Tomcat has paused the connectors, so that only requests in flight can add tasks.
     */
    public static void serverStopping(ServerDrain drain) {
        drain.serverStopBegins();
        if (drain.isDebug()) {
            LOG.info("wait-until: Tomcat server stopping; the drain follows once its connectors are paused");
        }
    }
}
