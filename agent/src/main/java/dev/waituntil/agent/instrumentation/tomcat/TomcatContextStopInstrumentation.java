package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code StandardContext.stopInternal()}: one application stops (undeploy, redeploy, reload, or its
 * turn in a server stop), before Tomcat waits for its async requests, destroys its servlets and calls
 * {@code contextDestroyed}. Its tasks are drained here; at server stop, the server-wide drain has
 * already left nothing.
 */
public final class TomcatContextStopInstrumentation extends LifecycleHookPoint {

    public TomcatContextStopInstrumentation() {
        super("org.apache.catalina.core.StandardContext", "stopInternal", StopAdvice.class);
    }

    /**
     * Inlined at the entry of the application's stop: drains that application; Tomcat's background processor passes
     * over it from then until the stop's exit.
     */
    public static final class StopAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object context) {
            ContainerHooks.tomcatContextStopping(context);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object context) {
            ContainerHooks.tomcatContextStopped(context);
        }
    }
}
