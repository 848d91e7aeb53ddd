package dev.waituntil.bootstrap;

/** What the agent does for the container hooks; implemented in the agent, installed into {@link ContainerHooks}. */
public interface ContainerHookTarget {

    void serverStarting(Object server);

    void tomcatServerStopping(Object server);

    void tomcatContainerStopping(Object container);

    void jettyServerStopping(Object server);

    void springContextClosing(Object context);

    void applicationStopping(Object context);

    /**
     * Tomcat {@code StandardContext.stopInternal()} begins: the application stops (and is drained), and the background
     * processor passes over it until {@link #tomcatContextStopped}.
     */
    void tomcatContextStopping(Object context);

    /** The same method has returned or thrown. */
    void tomcatContextStopped(Object context);

    void applicationDestroying(Object component);

    /** Whether {@code context} is an application whose stop the agent is draining now; fast, never blocks. */
    boolean isDrainingApplication(Object context);
}
