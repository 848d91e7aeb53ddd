package dev.waituntil.agent.log;

import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LocationAwareLogger;

/**
 * An SLF4J logger that writes through SLF4J's {@code java.util.logging} adapter, and keeps
 * writing when the JVM shuts down.
 *
 * <p>The JDK's own {@code LogManager} registers a shutdown hook that removes every handler. It runs
 * alongside ours, which is when a drain names the tasks it gave up on, and a line that meets that
 * reset vanishes. Checking for handlers first leaves a race, so once the JVM is shutting down under
 * the JDK's {@code LogManager}, lines go to standard error directly, formatted by
 * {@link SimpleFormatter} in the format the user configured for {@code java.util.logging}. Jetty's
 * console captures standard error. A replacement {@code LogManager} (Tomcat's JULI, an application
 * server's) keeps its handlers until its own shutdown, so lines keep going to its log files.
 */
final class ShutdownSafeLogger extends AbstractLogger {

    private static final long serialVersionUID = 1L;
    private static final String FQCN = ShutdownSafeLogger.class.getName();

    /** Made at the first line or question ({@link #delegate()}), not with the logger: see {@link AgentLog}. */
    private transient volatile LocationAwareLogger delegate;

    ShutdownSafeLogger(String name) {
        this.name = name;
    }

    private LocationAwareLogger delegate() {
        LocationAwareLogger made = delegate;
        if (made == null) {
            made = AgentLog.julLogger(name); // the adapter caches by name: two threads racing here get the same one
            delegate = made;
        }
        return made;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return FQCN;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        LocationAwareLogger target = delegate();
        if (JdkLogManager.IN_USE && isShuttingDown()) {
            LogRecord record = new LogRecord(julLevel(level), MessageFormatter.basicArrayFormat(pattern, arguments));
            record.setLoggerName(name);
            record.setSourceClassName(name);
            record.setThrown(throwable);
            System.err.print(new SimpleFormatter().format(record));
            System.err.flush();
            return;
        }
        target.log(marker, FQCN, level.toInt(), pattern, arguments, throwable);
    }

    /** Asked at the first line, once {@code java.util.logging} has been set up for it. */
    private static final class JdkLogManager {
        /** Whether java.util.logging runs on the JDK's LogManager, which resets every handler at JVM shutdown. */
        static final boolean IN_USE = LogManager.getLogManager().getClass() == LogManager.class;

        /** Never started; only asked of the runtime, which refuses it once shutdown has begun. */
        static final Thread SHUTDOWN_PROBE = newProbe();
    }

    static boolean isShuttingDown() {
        try {
            Runtime.getRuntime().removeShutdownHook(JdkLogManager.SHUTDOWN_PROBE);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private static java.util.logging.Level julLevel(Level level) {
        switch (level) {
            case ERROR:
                return java.util.logging.Level.SEVERE;
            case WARN:
                return java.util.logging.Level.WARNING;
            case INFO:
                return java.util.logging.Level.INFO;
            case DEBUG:
                return java.util.logging.Level.FINE;
            default:
                return java.util.logging.Level.FINEST;
        }
    }

    private static Thread newProbe() {
        Thread probe = new Thread("wait-until-shutdown-probe");
        probe.setContextClassLoader(null); // created on whatever thread first logs; must not hold its loader
        return probe;
    }

    @Override
    public boolean isTraceEnabled() {
        return delegate().isTraceEnabled();
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return delegate().isTraceEnabled(marker);
    }

    @Override
    public boolean isDebugEnabled() {
        return delegate().isDebugEnabled();
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return delegate().isDebugEnabled(marker);
    }

    @Override
    public boolean isInfoEnabled() {
        return delegate().isInfoEnabled();
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return delegate().isInfoEnabled(marker);
    }

    @Override
    public boolean isWarnEnabled() {
        return delegate().isWarnEnabled();
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return delegate().isWarnEnabled(marker);
    }

    @Override
    public boolean isErrorEnabled() {
        return delegate().isErrorEnabled();
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return delegate().isErrorEnabled(marker);
    }
}
