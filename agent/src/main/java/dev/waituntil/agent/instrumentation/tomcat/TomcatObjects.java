package dev.waituntil.agent.instrumentation.tomcat;

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
