package dev.waituntil.agent.instrumentation.tomcat;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the drain needs to know of Tomcat's objects, read by reflection: the agent is loaded before
 * Tomcat and must work with 9.0, 10.1 and 11.0 alike, so it compiles against none of them.
 */
public final class TomcatObjects {

    private TomcatObjects() {}

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
        return loader == null
                ? null
                : (ClassLoader) loader.getClass().getMethod("getClassLoader").invoke(loader);
    }

    /** {@code context.getPath()}: {@code ""} for ROOT. */
    public static String contextPath(Object context) throws ReflectiveOperationException {
        return (String) context.getClass().getMethod("getPath").invoke(context);
    }

    /**
     * Makes every connector of {@code server} (a {@code StandardServer}) stop taking new connections, as Tomcat's own
     * stop and Spring Boot's graceful shutdown do: {@code Connector.pause()} stops the acceptor and closes each
     * kept-alive connection once its current request is answered; then the listening socket is closed
     * ({@link #closeListeningSockets}). Requests in flight go on.
     *
     * @return the connectors paused
     */
    public static int stopAccepting(Object server) throws ReflectiveOperationException {
        List<Object> connectors = connectorsOf(server);
        for (Object connector : connectors) {
            connector.getClass().getMethod("pause").invoke(connector);
        }
        for (Object connector : connectors) {
            awaitAcceptorOutOfAccept(connector);
        }
        closeListeningSockets(server);
        return connectors.size();
    }

    /**
     * Waits, briefly, until the connector's acceptor thread is no longer blocked in {@code accept()}. A pause wakes it
     * with a connection of its own and returns; closing the listening socket before the acceptor has seen the pause
     * fails its {@code accept()}, which Tomcat logs as an error. Where this version keeps its acceptor otherwise, or
     * another thread paused the connector first, the state is read and waited for the same way.
     */
    private static void awaitAcceptorOutOfAccept(Object connector) throws ReflectiveOperationException {
        Object protocol = connector.getClass().getMethod("getProtocolHandler").invoke(connector);
        Object endpoint = protocol == null ? null : endpointOf(protocol);
        Field acceptorField = endpoint == null ? null : field(endpoint.getClass(), "acceptor");
        Object acceptor = acceptorField == null ? null : acceptorField.get(endpoint);
        Method getState = acceptor == null ? null : method(acceptor.getClass(), "getState");
        if (getState == null) {
            return;
        }
        long deadline = System.nanoTime() + ACCEPTOR_PAUSE_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            Object state = getState.invoke(acceptor);
            if (!(state instanceof Enum) || !"RUNNING".equals(((Enum<?>) state).name())) {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Whether {@code server} belongs to standalone Tomcat's {@code Catalina} with its shutdown hook, which stops it when
     * the JVM exits.
     */
    public static boolean stopsItselfAtJvmExit(Object server) throws ReflectiveOperationException {
        Method getCatalina = method(server.getClass(), "getCatalina");
        Object catalina = getCatalina == null ? null : getCatalina.invoke(server);
        Method useShutdownHook = catalina == null ? null : method(catalina.getClass(), "getUseShutdownHook");
        return useShutdownHook != null && Boolean.TRUE.equals(useShutdownHook.invoke(catalina));
    }

    /**
     * Closes the listening socket of every connector of {@code serverOrEngine} (a {@code StandardServer}, or an
     * {@code Engine}: its service's connectors), so that a connection attempt during the drain is refused at once, as
     * at the end of any stop, instead of waiting in the socket's backlog for the whole drain to be closed unanswered.
     * A paused Tomcat stops accepting but keeps the socket open when it was bound at init, as standalone Tomcat's
     * connectors are; {@code closeServerSocketGraceful()} only closes one bound at start (Spring Boot's). For the
     * former this does what that method does for the latter: the endpoint's bind state becomes
     * {@code SOCKET_CLOSED_ON_STOP}, which also turns keep-alive off, and its stop then unbinds as usual, so a server
     * started again binds anew. Anything this version of Tomcat lacks is passed over: the socket then stays open.
     */
    public static void closeListeningSockets(Object serverOrEngine) throws ReflectiveOperationException {
        for (Object connector : connectorsOf(serverOrEngine)) {
            Object protocol =
                    connector.getClass().getMethod("getProtocolHandler").invoke(connector);
            if (protocol == null) {
                continue;
            }
            Method closeGracefully = method(protocol.getClass(), "closeServerSocketGraceful");
            if (closeGracefully != null) {
                closeGracefully.invoke(protocol); // bound at start: closed here; bound at init: does nothing
            }
            Object endpoint = endpointOf(protocol);
            Field bindState = endpoint == null ? null : field(endpoint.getClass(), "bindState");
            Method doClose = endpoint == null ? null : method(endpoint.getClass(), "doCloseServerSocket");
            Method unixPath = endpoint == null ? null : method(endpoint.getClass(), "getUnixDomainSocketPath");
            if (bindState == null || doClose == null || (unixPath != null && unixPath.invoke(endpoint) != null)) {
                continue; // a unix domain socket's file is deleted when the socket closes: leave it to Tomcat's stop
            }
            Object state = bindState.get(endpoint);
            if (state instanceof Enum && "BOUND_ON_INIT".equals(((Enum<?>) state).name())) {
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object closed = Enum.valueOf((Class) ((Enum<?>) state).getDeclaringClass(), "SOCKET_CLOSED_ON_STOP");
                bindState.set(endpoint, closed);
                doClose.invoke(endpoint);
            }
        }
    }

    /** The protocol handler's {@code AbstractEndpoint}, or null where this version does not expose it. */
    private static Object endpointOf(Object protocol) throws ReflectiveOperationException {
        Method getEndpoint = method(protocol.getClass(), "getEndpoint");
        return getEndpoint == null ? null : getEndpoint.invoke(protocol);
    }

    /** The connectors of a {@code StandardServer}'s services, or of an {@code Engine}'s service. */
    private static List<Object> connectorsOf(Object serverOrEngine) throws ReflectiveOperationException {
        List<Object> services = new ArrayList<Object>();
        Method findServices = method(serverOrEngine.getClass(), "findServices");
        if (findServices != null) {
            Object all = findServices.invoke(serverOrEngine);
            for (int i = 0; all != null && i < Array.getLength(all); i++) {
                services.add(Array.get(all, i));
            }
        } else {
            Object service = serverOrEngine.getClass().getMethod("getService").invoke(serverOrEngine);
            if (service != null) {
                services.add(service);
            }
        }
        List<Object> connectors = new ArrayList<Object>();
        for (Object service : services) {
            Object all = service.getClass().getMethod("findConnectors").invoke(service);
            for (int i = 0; all != null && i < Array.getLength(all); i++) {
                connectors.add(Array.get(all, i));
            }
        }
        return connectors;
    }

    /** As long as Tomcat's own pause waits for its acceptor to leave {@code accept()}. */
    private static final long ACCEPTOR_PAUSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Whether {@code object} is an {@code org.apache.catalina.Server}. */
    public static boolean isServer(Object object) {
        return implementsInterface(object.getClass(), "org.apache.catalina.Server");
    }

    /** The method {@code name()} that {@code type} declares or inherits, whatever its access, or null. */
    private static Method method(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException e) {
                // look in the super class
            }
        }
        return null;
    }

    private static Field field(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look in the super class
            }
        }
        return null;
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
