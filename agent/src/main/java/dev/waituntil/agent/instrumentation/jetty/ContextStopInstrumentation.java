package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.instrumentation.ApplicationStopAdvice;
import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/**
 * {@code org.eclipse.jetty.server.handler.ContextHandler.doStop()}: the same class name in 9.4 to 11 and
 * in 12's core, which 12's ee10 {@code ServletContextHandler} and ee8/ee9 {@code CoreContextHandler}
 * extend. It runs before filters, servlets and {@code contextDestroyed} are stopped.
 */
public final class ContextStopInstrumentation extends LifecycleHookPoint {

    public ContextStopInstrumentation() {
        super("org.eclipse.jetty.server.handler.ContextHandler", "doStop", ApplicationStopAdvice.class);
    }
}
