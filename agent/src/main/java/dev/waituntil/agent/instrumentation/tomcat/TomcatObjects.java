package dev.waituntil.agent.instrumentation.tomcat;

import java.lang.reflect.Array;
import java.lang.reflect.Method;

/**
 * What the drain needs to know of Tomcat's objects, read by reflection: the agent is loaded before
 * Tomcat and must work with 9.0, 10.1 and 11.0 alike, so it compiles against none of them.
 */
public final class TomcatObjects {

    private TomcatObjects() {
    }

    /** Whether {@code container} is an {@code org.apache.catalina.Engine}. */
    public static boolean isEngine(Object container) {
        return implementsInterface(container.getClass(), "org.apache.catalina.Engine");
    }

    /** Whether {@code object} is an {@code org.apache.catalina.Context}, whatever its package (Spring Boot subclasses it). */
    public static boolean isContext(Object object) {
        return implementsInterface(object.getClass(), "org.apache.catalina.Context");
    }

    /** {@code context.getLoader().getClassLoader()}, or null. */
    public static ClassLoader applicationLoader(Object context) throws ReflectiveOperationException {
        Object loader = context.getClass().getMethod("getLoader").invoke(context);
        return loader == null ? null : (ClassLoader) loader.getClass().getMethod("getClassLoader").invoke(loader);
    }

    /** {@code context.getPath()}: {@code ""} for ROOT. */
    public static String contextPath(Object context) throws ReflectiveOperationException {
        return (String) context.getClass().getMethod("getPath").invoke(context);
    }

    /**
     * Makes every connector of {@code server} (a {@code StandardServer}) stop taking new connections, as Tomcat's own
     * stop and Spring Boot's graceful shutdown do: {@code Connector.pause()} stops the acceptor and closes each
     * kept-alive connection once its current request is answered; {@code closeServerSocketGraceful()} (Tomcat 9.0.33
     * and later) also closes the listening socket where it was bound at start. Requests in flight go on.
     *
     * @return the connectors paused
     */
    public static int stopAccepting(Object server) throws ReflectiveOperationException {
        Object services = server.getClass().getMethod("findServices").invoke(server);
        int paused = 0;
        for (int i = 0; services != null && i < Array.getLength(services); i++) {
            Object service = Array.get(services, i);
            Object connectors = service.getClass().getMethod("findConnectors").invoke(service);
            for (int j = 0; connectors != null && j < Array.getLength(connectors); j++) {
                Object connector = Array.get(connectors, j);
                connector.getClass().getMethod("pause").invoke(connector);
                paused++;
                Object protocol = connector.getClass().getMethod("getProtocolHandler").invoke(connector);
                Method closeGracefully = protocol == null ? null : publicMethod(protocol.getClass(), "closeServerSocketGraceful");
                if (closeGracefully != null) {
                    closeGracefully.invoke(protocol);
                }
            }
        }
        return paused;
    }

    /** Whether {@code object} is an {@code org.apache.catalina.Server}. */
    public static boolean isServer(Object object) {
        return implementsInterface(object.getClass(), "org.apache.catalina.Server");
    }

    private static Method publicMethod(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static boolean implementsInterface(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name) || implementsInterface(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
