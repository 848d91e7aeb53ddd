package dev.waituntil.agent.instrumentation;

import dev.waituntil.agent.hook.ContainerAccess;
import dev.waituntil.agent.hook.ServerDrain;
import dev.waituntil.agent.instrumentation.spring.SpringObjects;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Turns the container hooks into drains: once for the whole server when it stops, before its
 * connectors close and before any application stops, with one deadline; and once per application
 * when it is undeployed, redeployed or reloaded, before its servlets and listeners are destroyed.
 * A failure here is logged and the container's stop goes on: the agent never blocks a stop for
 * longer than the drain timeout, nor breaks it.
 *
 * <p>A drain must end under continuous traffic without refusing work to any request the container accepted. So
 * wherever a server stop begins and the container itself would still take new connections while the drain waits
 * (the JVM shutdown hook beside an embedded server that nobody stops, a Spring context that closes before its web
 * server does, Jetty's stop), the server's connectors stop accepting first, and their kept-alive connections close
 * after their current request, as the containers' own graceful stops do. Requests already accepted run as they would
 * without the agent, and their work is drained with the rest.
 *
 * <p>What is particular to a container is not here: its objects are read through its {@link ContainerAccess}, and
 * which of these steps its server stop takes, and when, is decided beside its stop hooks ({@link ServerDrain}).
 */
public final class ContainerDrains implements ServerDrain {

    private static final Logger LOG = AgentLog.get(ContainerDrains.class);

    private final TaskRuntime runtime;
    /** The containers whose objects the drain can read, asked in this order. */
    private final List<ContainerAccess> containers;
    /**
     * The container objects of the applications being drained now, by identity; only for the length of their
     * drain, so that no stopped application is kept. Few at a time, read by Tomcat's background thread.
     */
    private final CopyOnWriteArrayList<Object> draining = new CopyOnWriteArrayList<Object>();
    /**
     * Tomcat contexts between the entry and the exit of their stop: after the drain too, until the stop has cleared
     * the application's references, the background processor must not wait on the stopping context with the
     * application's loader bound to its thread (Tomcat's leak check would name the utility thread).
     */
    private final CopyOnWriteArrayList<Object> stoppingTomcatContexts = new CopyOnWriteArrayList<Object>();
    /**
     * The servers started in this JVM, weakly: the JVM shutdown hook makes them stop accepting
     * before it drains. A stopped and dropped server, and its class loader, are not kept.
     */
    private final CopyOnWriteArrayList<SeenServer> servers = new CopyOnWriteArrayList<SeenServer>();

    public ContainerDrains(TaskRuntime runtime, List<? extends ContainerAccess> containers) {
        this.runtime = runtime;
        this.containers = new ArrayList<ContainerAccess>(containers);
    }

    /** A server (re)starts: remembered, weakly, so that the JVM shutdown hook can make it stop accepting. */
    public void serverStarting(Object server) {
        servers.removeIf(each -> each.get() == null || each.get() == server);
        servers.add(new SeenServer(server));
        if (runtime.reopenAfterRestart()) {
            LOG.info("wait-until: a server starts again in this JVM after a stop; tasks are accepted again");
        }
    }

    @Override
    public boolean isDebug() {
        return runtime.isDebug();
    }

    @Override
    public void serverStopBegins() {
        runtime.beginShutdown();
    }

    @Override
    public void drainServerStop(String trigger) {
        runtime.drainForShutdown(trigger);
    }

    /** A Spring context closes: in Spring Boot, before its embedded web server stops. */
    public void springContextClosing(Object context) {
        Object webServer;
        Object server;
        ClassLoader loader;
        try {
            webServer = SpringObjects.webServer(context);
            server = webServer == null ? null : SpringObjects.containerServer(webServer);
            loader = SpringObjects.classLoader(context);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "wait-until: cannot tell what the closing Spring context {} runs ({}); the container's own stop "
                            + "and the JVM shutdown hook still drain",
                    context.getClass().getName(),
                    e.toString());
            return;
        }
        String trigger = "the close of Spring's " + context.getClass().getSimpleName();
        if (webServer != null) {
            // Spring Boot with an embedded server: the context stops its web server and destroys its beans next,
            // whatever the version and its server.shutdown setting. So the stop of the server begins here. Only
            // Tomcat's and Jetty's connectors are known to the agent; another server's drain runs with them open.
            runtime.beginShutdown();
            if (server != null) {
                stopAccepting(server, "Spring context closing");
            }
            runtime.drainForShutdown(trigger);
            return;
        }
        Scope scope = runtime.existingScopeOf(loader);
        if (scope != null && !scope.isRoot()) {
            runtime.drainApplication(scope, trigger); // a Spring application in a WAR; its container drained it first
        } else if (runtime.isShuttingDown()) {
            runtime.drainForShutdown(trigger); // a Spring application without a web server, in a JVM that stops
        }
        // Otherwise a context closes in a JVM that goes on (a test suite's context cache, a child context): its
        // work belongs to the JVM, which drains it when it stops.
    }

    /**
     * The JVM shutdown hook: the last drain of a plain JVM, and the only stop of an embedded server that nobody
     * stops. Beside a container's own stop it waits for the same tasks, within the same deadline.
     */
    public void jvmStopping() {
        runtime.beginShutdown();
        for (SeenServer each : servers) {
            Object server = each.get();
            if (server != null && !stopsItselfAtJvmExit(server)) {
                stopAccepting(server, "the JVM stops");
            }
        }
        runtime.drainForShutdown("the JVM shutdown hook");
    }

    /**
     * Whether the server has a JVM shutdown hook of its own that stops it (standalone Tomcat's and Jetty's do). Its
     * stop then runs beside this hook, and its own stop hooks make its connectors stop accepting at the right moment
     * of that stop; doing it from here as well would race the container's own pause of the same connectors (Tomcat
     * then logs its acceptor's failure).
     */
    private boolean stopsItselfAtJvmExit(Object server) {
        ContainerAccess container = containerOfServer(server);
        try {
            return container != null && container.stopsItselfAtJvmExit(server);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Makes the server's connectors stop accepting, once per start of the server: the first of the stop's hooks to
     * ask does it (a Spring context's close and the JVM shutdown hook run at the same time in different threads), so
     * that two threads of the agent never pause and close the same connectors at once.
     */
    @Override
    public void stopAccepting(Object server, String why) {
        SeenServer seen = seen(server);
        if (seen != null && !seen.acceptStopped.compareAndSet(false, true)) {
            return;
        }
        ContainerAccess container = containerOfServer(server);
        String which = container == null ? "unknown" : container.name();
        try {
            if (container == null) {
                throw new ReflectiveOperationException("no container known to the agent has such a server");
            }
            int connectors = container.stopAccepting(server);
            if (runtime.isDebug()) {
                LOG.info(
                        "wait-until: {}: {} connector(s) of {} server {} no longer accept new connections; requests in "
                                + "flight go on",
                        why,
                        connectors,
                        which,
                        server.getClass().getName());
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "wait-until: could not make the connectors of {} server {} stop accepting ({}); draining with them "
                            + "open",
                    which,
                    server.getClass().getName(),
                    e.toString());
        }
    }

    private SeenServer seen(Object server) {
        for (SeenServer each : servers) {
            if (each.get() == server) {
                return each;
            }
        }
        return null;
    }

    /** A server started in this JVM, weakly, and whether the agent has made it stop accepting since it started. */
    private static final class SeenServer extends WeakReference<Object> {
        final AtomicBoolean acceptStopped = new AtomicBoolean();

        SeenServer(Object server) {
            super(server);
        }
    }

    private ContainerAccess containerOfServer(Object server) {
        for (ContainerAccess each : containers) {
            if (each.isServer(server)) {
                return each;
            }
        }
        return null;
    }

    /** An application stops (undeployed, redeployed, reloaded, or its server stops): drains it before its teardown. */
    public void applicationStopping(Object context) {
        ClassLoader loader;
        String path;
        try {
            ContainerAccess container = containerOfContext(context);
            if (container == null) {
                throw new ReflectiveOperationException("no container known to the agent has such a context");
            }
            loader = container.applicationLoader(context);
            path = container.contextPath(context);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "wait-until: cannot tell which application {} is ({}); its tasks are drained with the JVM's",
                    context.getClass().getName(),
                    e.toString());
            return;
        }
        draining.add(context);
        try {
            drainApplication(loader, path == null || path.isEmpty() ? "/" : path);
        } finally {
            draining.removeIf(each -> each == context);
        }
    }

    private ContainerAccess containerOfContext(Object context) {
        for (ContainerAccess each : containers) {
            if (each.isContext(context)) {
                return each;
            }
        }
        return null;
    }

    /** Whether {@code context} is an application whose stop is being drained now; fast, never blocks. */
    /** Tomcat's stop of {@code context} begins: it is passed over until {@link #tomcatContextStopped}. */
    public void tomcatContextStopping(Object context) {
        stoppingTomcatContexts.add(context);
        applicationStopping(context);
    }

    /** Tomcat's stop of {@code context} has ended, however. */
    public void tomcatContextStopped(Object context) {
        stoppingTomcatContexts.removeIf(each -> each == context);
    }

    public boolean isDrainingApplication(Object context) {
        for (Object each : draining) {
            if (each == context) {
                return true;
            }
        }
        for (Object each : stoppingTomcatContexts) {
            if (each == context) {
                return true;
            }
        }
        return false;
    }

    /** A servlet or a context listener of an application is destroyed: the last chance to drain it. */
    public void applicationDestroying(Object component) {
        Scope scope = applicationScope(component.getClass().getClassLoader());
        if (scope == null || scope.isDrained()) {
            return;
        }
        // No stop hook of this host reached the application before its teardown: a container, or a version of
        // one, that the agent does not know. Said once, so that such a host is never silent.
        LOG.info(
                "wait-until: {} is being torn down ({} is destroyed) and no stop hook of its host ({}) ran before; "
                        + "draining it here, where its servlets may already be gone",
                scope,
                component.getClass().getName(),
                hostOf(component));
        runtime.drainApplication(scope);
    }

    /**
     * What the container says it is ({@code ServletContext.getServerInfo()}, e.g. {@code Apache Tomcat/10.1.59}) and the
     * class of its servlet context, as far as a destroyed servlet can tell; a listener cannot.
     */
    private static String hostOf(Object component) {
        try {
            Object context = component.getClass().getMethod("getServletContext").invoke(component);
            if (context != null) {
                Object info = context.getClass().getMethod("getServerInfo").invoke(context);
                return info + ", " + context.getClass().getName();
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // not a servlet, or one whose context is gone already: the component's class is all there is to say
        }
        return "unknown";
    }

    private void drainApplication(ClassLoader loader, String name) {
        Scope scope = applicationScope(loader);
        if (scope == null) {
            return;
        }
        if (name != null) {
            scope.rename(name);
        }
        runtime.drainApplication(scope);
    }

    /** Null for an application that never used wait-until, or one without a loader of its own. */
    private Scope applicationScope(ClassLoader loader) {
        Scope scope = runtime.existingScopeOf(loader);
        return scope == null || scope.isRoot() ? null : scope;
    }
}
