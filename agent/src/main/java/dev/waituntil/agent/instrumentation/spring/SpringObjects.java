package dev.waituntil.agent.instrumentation.spring;

import java.lang.reflect.Method;

/**
 * What the drain needs to know of a closing Spring context, read by reflection: the agent compiles against no
 * Spring version, and Spring Boot 4 moved the web server classes that Boot 2 and 3 had elsewhere. Only method names
 * that every version has are used.
 */
public final class SpringObjects {

    private SpringObjects() {}

    /**
     * The web server that the context runs embedded (Spring Boot's {@code WebServerApplicationContext.getWebServer()}:
     * Tomcat, Jetty, Undertow, Netty), or null when it runs none: a context without a web server, or one inside a
     * container that deployed it as a WAR.
     */
    public static Object webServer(Object context) throws ReflectiveOperationException {
        return call(context, "getWebServer");
    }

    /**
     * The Tomcat {@code StandardServer} or Jetty {@code Server} behind Spring Boot's web server
     * ({@code TomcatWebServer.getTomcat().getServer()}, {@code JettyWebServer.getServer()}), or null for another server.
     */
    public static Object containerServer(Object webServer) throws ReflectiveOperationException {
        Object tomcat = call(webServer, "getTomcat");
        return tomcat != null ? call(tomcat, "getServer") : call(webServer, "getServer");
    }

    /** The class loader the context loads its beans with: the application's. */
    public static ClassLoader classLoader(Object context) throws ReflectiveOperationException {
        Object loader = call(context, "getClassLoader");
        return loader instanceof ClassLoader
                ? (ClassLoader) loader
                : context.getClass().getClassLoader();
    }

    /** {@code target.name()} if the public method exists, else null. */
    private static Object call(Object target, String name) throws ReflectiveOperationException {
        Method method;
        try {
            method = target.getClass().getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
        method.setAccessible(true); // a public method declared by a non-public class
        return method.invoke(target);
    }
}
