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
 */
public final class AgentLog {

    private static final ILoggerFactory FACTORY = createFactory();

    private AgentLog() {}

    public static Logger get(Class<?> owner) {
        // Tomcat's JULI keeps a logger with the web application that was the context class loader
        // when the logger was created, and closes its handlers on undeploy. Create ours outside any.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(AgentLog.class.getClassLoader());
        try {
            return new ShutdownSafeLogger((LocationAwareLogger) FACTORY.getLogger(owner.getName()));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static ILoggerFactory createFactory() {
        JULServiceProvider provider = new JULServiceProvider();
        provider.initialize();
        return provider.getLoggerFactory();
    }
}
