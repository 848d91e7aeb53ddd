package dev.waituntil.agent.hook;

/**
 * What the drain reads of one container's objects, a server and an application's context, and the one thing it does
 * to a server: stop its connectors accepting. One implementation per container, in that container's package; the
 * drain asks each in turn whether an object is one of its own, so it needs to know no container by name.
 */
public interface ContainerAccess {

    /** For logs: {@code Tomcat}, {@code Jetty}. */
    String name();

    /** Whether {@code object} is a server of this container, one whose connectors {@link #stopAccepting} knows. */
    boolean isServer(Object object);

    /**
     * Makes every connector of {@code server} stop taking new connections, as the container's own graceful stop
     * does; requests in flight go on.
     *
     * @return how many connectors stopped accepting
     */
    int stopAccepting(Object server) throws ReflectiveOperationException;

    /**
     * Whether {@code server} is stopped by a JVM shutdown hook of the container's own (standalone Tomcat's Catalina,
     * a Jetty server set to stop at shutdown), so that the agent's JVM shutdown hook leaves its connectors to that stop.
     */
    boolean stopsItselfAtJvmExit(Object server) throws ReflectiveOperationException;

    /** Whether {@code object} is an application's context of this container. */
    boolean isContext(Object object);

    /** The class loader of the application {@code context} runs, or null for one without its own. */
    ClassLoader applicationLoader(Object context) throws ReflectiveOperationException;

    /** The path the application {@code context} is deployed under: empty or {@code /} for the root. */
    String contextPath(Object context) throws ReflectiveOperationException;
}
