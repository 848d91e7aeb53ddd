package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.instrumentation.ApplicationStopAdvice;
import dev.waituntil.agent.instrumentation.LifecycleHookPoint;

/**
 * {@code StandardContext.stopInternal()}: one application stops (undeploy, redeploy, reload, or its
 * turn in a server stop), before Tomcat waits for its async requests, destroys its servlets and calls
 * {@code contextDestroyed}. Its tasks are drained here; at server stop, the server-wide drain has
 * already left nothing.
 */
public final class ContextStopInstrumentation extends LifecycleHookPoint {

    public ContextStopInstrumentation() {
        super("org.apache.catalina.core.StandardContext", "stopInternal", ApplicationStopAdvice.class);
    }
}
