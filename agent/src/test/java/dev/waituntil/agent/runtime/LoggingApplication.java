package dev.waituntil.agent.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An application's class loader with its own copies of logging libraries, as a web application has in
 * {@code WEB-INF/lib}: a {@link URLClassLoader} whose parent is the platform loader, so that neither the
 * test class path nor the agent's own SLF4J is visible from it. The jars come from the build
 * ({@code -Dtest.jar.<artifactId>}, set by the agent's pom), never from this class path.
 *
 * <p>Its MDC and ThreadContext are used the way the application would, through reflection on its classes.
 */
public final class LoggingApplication {

    public static final String SLF4J_API = "slf4j-api";
    public static final String LOGBACK = "logback-classic";
    public static final String LOGBACK_CORE = "logback-core";
    public static final String LOG4J_API = "log4j-api";
    public static final String LOG4J_CORE = "log4j-core";
    public static final String LOG4J_TO_SLF4J = "log4j-to-slf4j";
    public static final String LOG4J_SLF4J2_IMPL = "log4j-slf4j2-impl";

    private final URLClassLoader loader;

    private LoggingApplication(URLClassLoader loader) {
        this.loader = loader;
    }

    /** An application whose {@code WEB-INF/lib} holds {@code jars} (artifact ids) and {@code WEB-INF/classes} is {@code classes}. */
    public static LoggingApplication of(String name, List<Path> classes, String... jars) {
        List<URL> urls = new ArrayList<>();
        try {
            for (Path dir : classes) {
                urls.add(dir.toUri().toURL());
            }
            for (String jar : jars) {
                urls.add(jar(jar).toUri().toURL());
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        return new LoggingApplication(
                new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader()) {
                    @Override
                    public String toString() {
                        return name;
                    }
                });
    }

    public static LoggingApplication of(String name, String... jars) {
        return of(name, List.of(), jars);
    }

    static Path jar(String artifactId) {
        String property = "test.jar." + artifactId;
        String value = System.getProperty(property);
        if (value == null || value.isEmpty() || value.startsWith("${") || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException(
                    property + " does not name a jar (" + value + "); run the tests through Maven"
                            + " (./mvnw -pl agent test), whose dependency:properties sets it");
        }
        return Path.of(value);
    }

    public ClassLoader loader() {
        return loader;
    }

    public void mdcPut(String key, String value) {
        call("org.slf4j.MDC", "put", new Class<?>[] {String.class, String.class}, key, value);
    }

    /** The calling thread's MDC, sorted; empty for none. */
    public Map<String, String> mdc() {
        return sorted((Map<?, ?>) call("org.slf4j.MDC", "getCopyOfContextMap", new Class<?>[0]));
    }

    public void threadContextPut(String key, String value) {
        call("org.apache.logging.log4j.ThreadContext", "put", new Class<?>[] {String.class, String.class}, key, value);
    }

    public void threadContextPush(String message) {
        call("org.apache.logging.log4j.ThreadContext", "push", new Class<?>[] {String.class}, message);
    }

    /** The calling thread's ThreadContext map, sorted. */
    public Map<String, String> threadContext() {
        return sorted((Map<?, ?>) call("org.apache.logging.log4j.ThreadContext", "getContext", new Class<?>[0]));
    }

    /** The calling thread's ThreadContext stack, bottom first. */
    public List<String> stack() {
        Collection<?> stack =
                (Collection<?>) call("org.apache.logging.log4j.ThreadContext", "cloneStack", new Class<?>[0]);
        List<String> out = new ArrayList<>();
        for (Object o : stack) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    public void clearMdc() {
        call("org.slf4j.MDC", "clear", new Class<?>[0]);
    }

    public void clearThreadContext() {
        call("org.apache.logging.log4j.ThreadContext", "clearAll", new Class<?>[0]);
    }

    /** A static field of one of the application's classes (a broken framework counts its calls there). */
    public int staticInt(String className, String field) {
        try {
            return Class.forName(className, true, loader).getField(field).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object call(String className, String method, Class<?>[] types, Object... args) {
        try {
            Method m = Class.forName(className, true, loader).getMethod(method, types);
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(className + "." + method + " threw", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> sorted(Map<?, ?> map) {
        Map<String, String> out = new TreeMap<>();
        if (map != null) {
            map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String toString() {
        return loader.toString();
    }
}
