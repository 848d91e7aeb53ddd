package dev.waituntil.servlet;

import dev.waituntil.WaitUntil;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What both listeners do at {@code contextDestroyed}, with no servlet type in sight, so that neither
 * namespace's classes are needed to load it.
 */
final class ApplicationTeardown {

    private ApplicationTeardown() {}

    /**
     * Hands the application's teardown to this API copy's {@link WaitUntil}. Through a private method,
     * found by reflection as the agent finds {@code agentAttached}: the seam is no part of the public API.
     */
    static void stopping(String contextPath) {
        String application = contextPath == null || contextPath.isEmpty() ? "/" : contextPath;
        try {
            Method stopping = WaitUntil.class.getDeclaredMethod("applicationStopping", String.class);
            stopping.setAccessible(true);
            stopping.invoke(null, application);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Only a class of another version in the same loader could do this; the JVM shutdown hook remains.
            Logger.getLogger("dev.waituntil")
                    .log(
                            Level.WARNING,
                            "wait-until: cannot drain application " + application
                                    + " at its teardown; the JVM shutdown hook will: " + e,
                            e);
        }
    }
}
