package dev.waituntil.bootstrap;

/** What the agent does for the container hooks; implemented in the agent, installed into {@link ContainerHooks}. */
public interface ContainerHookTarget {

    void serverStarting(Object server);

    void tomcatServerStopping(Object server);

    void tomcatContainerStopping(Object container);

    void jettyServerStopping(Object server);

    void springContextClosing(Object context);

    void applicationStopping(Object context);

    void applicationDestroying(Object component);

    /** Whether {@code context} is an application whose stop the agent is draining now; fast, never blocks. */
    boolean isDrainingApplication(Object context);
}
