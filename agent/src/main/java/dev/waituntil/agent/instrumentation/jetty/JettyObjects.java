package dev.waituntil.agent.instrumentation.jetty;

import java.lang.reflect.Array;
import java.lang.reflect.Method;

/**
 * What the drain needs of Jetty's objects, read by reflection so that one agent serves Jetty 9.4, 10,
 * 11 and 12, whose classes keep these names across versions.
 */
public final class JettyObjects {

    private JettyObjects() {}

    /**
     * Whether {@code object} has what {@link #stopAccepting} reads, a public {@code getConnectors()}: Jetty's
     * {@code Server} in every version, and whatever Spring Boot's {@code JettyWebServer.getServer()} returns.
     */
    public static boolean isServer(Object object) {
        return hasPublicMethod(object, "getConnectors");
    }

    /**
     * Whether {@code object} has what the drain reads of a context, a public {@code getClassLoader()} and
     * {@code getContextPath()}: Jetty's {@code ContextHandler} in every version.
     */
    public static boolean isContext(Object object) {
        return hasPublicMethod(object, "getClassLoader") && hasPublicMethod(object, "getContextPath");
    }

    /** Whether {@code server} is set to stop at JVM exit ({@code setStopAtShutdown(true)}, as standalone Jetty is). */
    public static boolean stopsItselfAtJvmExit(Object server) throws ReflectiveOperationException {
        Method getStopAtShutdown = publicMethod(server.getClass(), "getStopAtShutdown");
        return getStopAtShutdown != null && Boolean.TRUE.equals(getStopAtShutdown.invoke(server));
    }

    /**
     * Makes every connector of {@code server} stop accepting new connections, as Jetty's own graceful
     * stop does first: {@code Connector.shutdown()} (Graceful) closes the acceptor and lets requests in
     * flight finish. Jetty's {@code doStop} calls it again afterwards, which is harmless.
     *
     * @return how many connectors stopped accepting
     */
    public static int stopAccepting(Object server) throws ReflectiveOperationException {
        Object connectors = server.getClass().getMethod("getConnectors").invoke(server);
        int n = connectors == null ? 0 : Array.getLength(connectors);
        int stopped = 0;
        for (int i = 0; i < n; i++) {
            Object connector = Array.get(connectors, i);
            Method shutdown = publicMethod(connector.getClass(), "shutdown");
            if (shutdown != null) {
                shutdown.invoke(connector);
                stopped++;
            }
        }
        return stopped;
    }

    /** The context's class loader (the web application's), or null for a context without its own. */
    public static ClassLoader applicationLoader(Object contextHandler) throws ReflectiveOperationException {
        return (ClassLoader)
                contextHandler.getClass().getMethod("getClassLoader").invoke(contextHandler);
    }

    public static String contextPath(Object contextHandler) throws ReflectiveOperationException {
        return (String) contextHandler.getClass().getMethod("getContextPath").invoke(contextHandler);
    }

    private static boolean hasPublicMethod(Object object, String name) {
        try {
            object.getClass().getMethod(name);
            return true;
        } catch (NoSuchMethodException | RuntimeException e) {
            return false;
        }
    }

    private static Method publicMethod(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            m.setAccessible(true); // a public method of a non-public class (Jetty's internal connectors)
            return m;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }
}
