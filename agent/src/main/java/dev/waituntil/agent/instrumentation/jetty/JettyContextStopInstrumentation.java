package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code org.eclipse.jetty.server.handler.ContextHandler.doStop()}: the same class name in 9.4 to 11 and
 * in 12's core, which 12's ee10 {@code ServletContextHandler} and ee8/ee9 {@code CoreContextHandler}
 * extend. It runs before filters, servlets and {@code contextDestroyed} are stopped.
 */
public final class JettyContextStopInstrumentation extends LifecycleHookPoint {

    public JettyContextStopInstrumentation() {
        super("org.eclipse.jetty.server.handler.ContextHandler", "doStop", StopAdvice.class);
    }

    /** Inlined at the entry of the application's stop: drains that application. */
    public static final class StopAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object context) {
            ContainerHooks.applicationStopping(context);
        }
    }
}
