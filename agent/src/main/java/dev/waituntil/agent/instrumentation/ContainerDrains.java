package dev.waituntil.agent.instrumentation;

import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;

import dev.waituntil.agent.instrumentation.jetty.JettyObjects;
import dev.waituntil.agent.instrumentation.tomcat.TomcatObjects;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.bootstrap.ContainerHookTarget;

/**
 * Turns the container hooks into drains: once for the whole server when it stops, before its
 * connectors close and before any application stops, with one deadline; and once per application
 * when it is undeployed, redeployed or reloaded, before its servlets and listeners are destroyed.
 * A failure here is logged and the container's stop goes on: the agent never blocks a stop for
 * longer than the drain timeout, nor breaks it.
 */
public final class ContainerDrains implements ContainerHookTarget {

    private static final Logger LOG = AgentLog.get(ContainerDrains.class);

    private final TaskRuntime runtime;
    /**
     * The container objects of the applications being drained now, by identity; only for the length of their
     * drain, so that no stopped application is kept. Few at a time, read by Tomcat's background thread.
     */
    private final CopyOnWriteArrayList<Object> draining = new CopyOnWriteArrayList<Object>();

    public ContainerDrains(TaskRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void serverStarting(Object server) {
        if (runtime.reopenAfterRestart()) {
            LOG.info("wait-until: a server starts again in this JVM after a stop; tasks are accepted again");
        }
    }

    @Override
    public void tomcatServerStopping(Object server) {
        // Shutdown is certain from here: the deadline starts now. The wait itself comes when the engine
        // stops, after Tomcat has paused the connectors, so that only requests in flight can add tasks.
        runtime.beginShutdown();
        if (runtime.isDebug()) {
            LOG.info("wait-until: Tomcat server stopping; the drain follows once its connectors are paused");
        }
    }

    @Override
    public void tomcatContainerStopping(Object container) {
        if (!TomcatObjects.isEngine(container)) {
            return; // hosts, contexts and wrappers stop through ContainerBase too
        }
        runtime.drainForShutdown("Tomcat's engine stop");
    }

    @Override
    public void jettyServerStopping(Object server) {
        runtime.beginShutdown();
        try {
            int connectors = JettyObjects.stopAccepting(server);
            if (runtime.isDebug()) {
                LOG.info("wait-until: Jetty server stopping; {} connector(s) no longer accept, requests in flight go on",
                        connectors);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("wait-until: could not make Jetty's connectors stop accepting ({}); draining with them open",
                    e.toString());
        }
        runtime.drainForShutdown("Jetty's server stop");
    }

    @Override
    public void springWebServerStopping(Object webServer) {
        // Since Spring Boot 3.2, WebServer.stop() only takes the connectors away; the server itself
        // stops in destroy(), after the application's beans are destroyed. So the drain runs here:
        // after Spring's graceful phase, before any bean is destroyed.
        runtime.drainForShutdown("Spring Boot's web server stop");
    }

    @Override
    public void applicationStopping(Object context) {
        ClassLoader loader;
        String path;
        try {
            boolean tomcat = TomcatObjects.isContext(context); // also Spring Boot's TomcatEmbeddedContext
            loader = tomcat ? TomcatObjects.applicationLoader(context) : JettyObjects.applicationLoader(context);
            path = tomcat ? TomcatObjects.contextPath(context) : JettyObjects.contextPath(context);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("wait-until: cannot tell which application {} is ({}); its tasks are drained with the JVM's",
                    context.getClass().getName(), e.toString());
            return;
        }
        draining.add(context);
        try {
            drainApplication(loader, path == null || path.isEmpty() ? "/" : path);
        } finally {
            draining.removeIf(each -> each == context);
        }
    }

    @Override
    public boolean isDrainingApplication(Object context) {
        for (Object each : draining) {
            if (each == context) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void applicationDestroying(Object component) {
        drainApplication(component.getClass().getClassLoader(), null);
    }

    private void drainApplication(ClassLoader loader, String name) {
        Scope scope = runtime.existingScopeOf(loader);
        if (scope == null || scope.isRoot()) {
            return; // an application that never used wait-until, or one without a loader of its own
        }
        if (name != null) {
            scope.rename(name);
        }
        runtime.drainApplication(scope);
    }
}
