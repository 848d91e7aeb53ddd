package dev.waituntil.agent.log;

import java.io.PrintStream;
import java.text.SimpleDateFormat;
import java.util.Date;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LocationAwareLogger;

/**
 * An SLF4J logger that writes through SLF4J's {@code java.util.logging} adapter, and keeps
 * writing when the JVM shuts down.
 *
 * <p>The JDK's {@code LogManager} registers a shutdown hook that removes every handler; it runs
 * alongside ours, which is when a drain names the tasks it gave up on. Lines logged after that
 * reset would vanish, so while the JVM is shutting down and the root logger has no handler left,
 * a line goes to standard error instead (which Tomcat's {@code catalina.out} and Jetty's console
 * capture). Containers that protect their logging during shutdown, like Tomcat's JULI, keep
 * their handlers and are not affected.
 */
final class ShutdownSafeLogger extends AbstractLogger {

    private static final long serialVersionUID = 1L;
    private static final String FQCN = ShutdownSafeLogger.class.getName();

    /** Never started; only asked of the runtime, which refuses it once shutdown has begun. */
    private static final Thread SHUTDOWN_PROBE = newProbe();

    private final transient LocationAwareLogger delegate;
    private final transient java.util.logging.Logger root = java.util.logging.Logger.getLogger("");

    ShutdownSafeLogger(LocationAwareLogger delegate) {
        this.delegate = delegate;
        this.name = delegate.getName();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return FQCN;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        if (root.getHandlers().length == 0 && isShuttingDown()) {
            PrintStream err = System.err;
            err.println(new SimpleDateFormat("MMM dd, yyyy h:mm:ss a").format(new Date()) + " " + name + "\n"
                    + level + ": " + MessageFormatter.basicArrayFormat(pattern, arguments));
            if (throwable != null) {
                throwable.printStackTrace(err);
            }
            return;
        }
        delegate.log(marker, FQCN, level.toInt(), pattern, arguments, throwable);
    }

    static boolean isShuttingDown() {
        try {
            Runtime.getRuntime().removeShutdownHook(SHUTDOWN_PROBE);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private static Thread newProbe() {
        Thread probe = new Thread("wait-until-shutdown-probe");
        probe.setContextClassLoader(null); // created on whatever thread first logs; must not hold its loader
        return probe;
    }

    @Override
    public boolean isTraceEnabled() {
        return delegate.isTraceEnabled();
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return delegate.isTraceEnabled(marker);
    }

    @Override
    public boolean isDebugEnabled() {
        return delegate.isDebugEnabled();
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return delegate.isDebugEnabled(marker);
    }

    @Override
    public boolean isInfoEnabled() {
        return delegate.isInfoEnabled();
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return delegate.isInfoEnabled(marker);
    }

    @Override
    public boolean isWarnEnabled() {
        return delegate.isWarnEnabled();
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return delegate.isWarnEnabled(marker);
    }

    @Override
    public boolean isErrorEnabled() {
        return delegate.isErrorEnabled();
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return delegate.isErrorEnabled(marker);
    }
}
