package dev.waituntil;

import java.time.Duration;

/**
 * A drain ended: of one application at its undeploy or stop, or of the whole JVM ({@code JVM}) when the server or
 * the JVM stops. Delivered before the application is torn down.
 */
public final class DrainEnded {

    private final String application;
    private final Duration duration;
    private final boolean reachedDeadline;

    DrainEnded(String application, Duration duration, boolean reachedDeadline) {
        this.application = application;
        this.duration = duration;
        this.reachedDeadline = reachedDeadline;
    }

    /**
     * What was drained; see {@link PendingTask#application()}.
     *
     * @return the application's name, or {@code JVM} for a drain of everything
     */
    public String application() {
        return application;
    }

    /**
     * How long the drain waited.
     *
     * @return the duration
     */
    public Duration duration() {
        return duration;
    }

    /**
     * Whether the drain reached {@code waituntil.drain.timeout} with tasks still pending, which it then named (and
     * by default cancelled).
     *
     * @return true when it timed out, false when every task finished in time
     */
    public boolean reachedDeadline() {
        return reachedDeadline;
    }

    /**
     * One line for logs.
     *
     * @return a description
     */
    @Override
    public String toString() {
        return "drain of " + application + " ended after " + duration.toMillis() + " ms"
                + (reachedDeadline ? ", at its deadline" : "");
    }
}
