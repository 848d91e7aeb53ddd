package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.agent.hook.ServerDrain;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code Server.doStop()} (Jetty 9.4 to 12): SIGTERM through the shutdown thread, {@code start.jar --stop}
 * and embedded {@code Server.stop()} all come here. In every version the connectors close and only then
 * the contexts stop, so this entry is the one point before the connectors close: the agent makes them
 * stop accepting and drains here.
 */
public final class JettyServerStopInstrumentation extends LifecycleHookPoint {

    public JettyServerStopInstrumentation() {
        super("org.eclipse.jetty.server.Server", "doStop", StopAdvice.class);
    }

    /** Inlined at the entry of the server's stop. */
    public static final class StopAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object server) {
            ContainerHooks.jettyServerStopping(server);
        }
    }

    /** Jetty closes its connectors before any context stops: they stop accepting, and the drain runs, first. */
    public static void serverStopping(ServerDrain drain, Object server) {
        drain.serverStopBegins();
        drain.stopAccepting(server, "Jetty server stopping");
        drain.drainServerStop("Jetty's server stop");
    }
}
