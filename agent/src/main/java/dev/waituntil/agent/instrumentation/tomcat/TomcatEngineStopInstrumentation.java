package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.agent.hook.ServerDrain;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;
import org.slf4j.Logger;

/**
 * {@code ContainerBase.stopInternal()} of the Engine (the Engine declares no stop of its own): Tomcat
 * has paused the connectors (no new requests; those in flight go on) and has stopped no application
 * yet. The server-wide drain runs here, so the set of pending tasks converges.
 */
public final class TomcatEngineStopInstrumentation extends LifecycleHookPoint {

    private static final Logger LOG = AgentLog.get(TomcatEngineStopInstrumentation.class);

    public TomcatEngineStopInstrumentation() {
        super("org.apache.catalina.core.ContainerBase", "stopInternal", StopAdvice.class);
    }

    /** Inlined at the entry of every container's stop; the agent acts for the Engine only. */
    public static final class StopAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object container) {
            ContainerHooks.tomcatContainerStopping(container);
        }
    }

    /** The stop of any container: the Engine's drains the server, with its listening sockets closed first. */
    public static void containerStopping(ServerDrain drain, Object container) {
        if (engineStopping(container)) {
            drain.drainServerStop("Tomcat's engine stop");
        }
    }

    /**
     * What the Engine's stop takes before the drain: Tomcat has paused its connectors, and their listening sockets
     * are closed here, so that new connections are refused. A failure is logged and the drain goes on.
     *
     * @return whether {@code container} is the Engine, whose stop drains the server; hosts, contexts and wrappers
     *         stop through {@code ContainerBase} too
     */
    private static boolean engineStopping(Object container) {
        if (!TomcatObjects.isEngine(container)) {
            return false;
        }
        try {
            TomcatObjects.closeListeningSockets(container);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "wait-until: could not close Tomcat's listening sockets ({}); connections made during the drain "
                            + "wait for it",
                    e.toString());
        }
        return true;
    }
}
