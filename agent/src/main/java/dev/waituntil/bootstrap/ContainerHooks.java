package dev.waituntil.bootstrap;

/**
 * What the container advice calls, at the points where a server or an application begins to stop.
 * Like {@link ServletHooks}, it is inlined into container classes of any class loader, so it lives on
 * the bootstrap class path and speaks in JDK types only. Each method blocks for as long as the drain
 * it starts; the advice suppresses anything thrown.
 */
public final class ContainerHooks {

    private static volatile ContainerHookTarget target;

    private ContainerHooks() {}

    /** Called once by the agent when its runtime is ready. */
    public static void install(ContainerHookTarget agent) {
        target = agent;
    }

    /** Tomcat {@code StandardServer.startInternal()} or Jetty {@code Server.doStart()}: a server (re)starts. */
    public static void serverStarting(Object server) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.serverStarting(server);
        }
    }

    /** Tomcat {@code StandardServer.stopInternal()}: shutdown is certain; connectors still accept. */
    public static void tomcatServerStopping(Object server) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.tomcatServerStopping(server);
        }
    }

    /** Tomcat {@code ContainerBase.stopInternal()}: for the Engine, connectors are paused and no application has stopped. */
    public static void tomcatContainerStopping(Object container) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.tomcatContainerStopping(container);
        }
    }

    /** Jetty {@code Server.doStop()}: the only point before the connectors close. */
    public static void jettyServerStopping(Object server) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.jettyServerStopping(server);
        }
    }

    /** Spring's {@code AbstractApplicationContext.doClose()}: before its lifecycle beans stop and its beans are destroyed. */
    public static void springContextClosing(Object context) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.springContextClosing(context);
        }
    }

    /** Tomcat {@code StandardContext.stopInternal()} or Jetty {@code ContextHandler.doStop()}: one application stops. */
    public static void applicationStopping(Object context) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.applicationStopping(context);
        }
    }

    /** Tomcat {@code StandardContext.stopInternal()}, at its entry: the application stops. */
    public static void tomcatContextStopping(Object context) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.tomcatContextStopping(context);
        }
    }

    /** The same method's exit, by a return or an exception. */
    public static void tomcatContextStopped(Object context) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.tomcatContextStopped(context);
        }
    }

    /**
     * Tomcat {@code ContainerBackgroundProcessor.processChildren(container)}: true to pass over {@code container},
     * an application the agent is draining (its background work would wait on the stopping context meanwhile).
     */
    public static boolean tomcatBackgroundProcessPassesOver(Object container) {
        ContainerHookTarget agent = target;
        return agent != null && agent.isDrainingApplication(container);
    }

    /** {@code Servlet.destroy()} or {@code ServletContextListener.contextDestroyed()}: any other container. */
    public static void applicationDestroying(Object component) {
        ContainerHookTarget agent = target;
        if (agent != null) {
            agent.applicationDestroying(component);
        }
    }
}
