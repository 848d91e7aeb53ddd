package dev.waituntil.agent.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.jul.JULServiceProvider;
import org.slf4j.spi.LocationAwareLogger;

/**
 * The agent's loggers: SLF4J (relocated inside the agent jar) writing to {@code java.util.logging},
 * so that our lines land in Tomcat's and Jetty's ordinary logs with no setup.
 *
 * <p>The provider is constructed here rather than found by {@code LoggerFactory}: service discovery
 * and the {@code slf4j.provider} system property belong to the application, and an application's
 * {@code -Dslf4j.provider=...} must neither break our logging nor be disturbed by it.
 *
 * <p>A logger is a name until its first line: only then are SLF4J's adapter and {@code java.util.logging} set up
 * ({@link #julLogger}). Classes of the agent keep their loggers in static fields, so making them must not start
 * {@code java.util.logging} in premain: that would cost the application's start-up some 15 ms for nothing when the
 * agent has nothing to say, and would fix the JVM's {@code LogManager} before an application that chooses its own
 * ({@code java.util.logging.manager} set in {@code main}, as JBoss LogManager asks) had the chance.
 */
public final class AgentLog {

    private AgentLog() {}

    public static Logger get(Class<?> owner) {
        return new ShutdownSafeLogger(owner.getName());
    }

    /** The SLF4J adapter's logger of that name, writing to {@code java.util.logging}; made at a logger's first line. */
    static LocationAwareLogger julLogger(String name) {
        // Tomcat's JULI keeps a logger with the web application that was the context class loader
        // when the logger was created, and closes its handlers on undeploy. Create ours outside any.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(AgentLog.class.getClassLoader());
        try {
            return (LocationAwareLogger) Factory.INSTANCE.getLogger(name);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Made when the first logger needs it (the holder idiom: the JVM's class initialization makes it once). */
    private static final class Factory {
        static final ILoggerFactory INSTANCE = create();

        private static ILoggerFactory create() {
            JULServiceProvider provider = new JULServiceProvider();
            provider.initialize();
            return provider.getLoggerFactory();
        }
    }
}
