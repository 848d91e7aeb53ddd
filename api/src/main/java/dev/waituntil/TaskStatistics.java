package dev.waituntil;

import java.time.Duration;

/**
 * The counts of one application since the runtime started, as {@link TaskMonitor#statistics()} takes them: the
 * same numbers the agent's JMX MBean shows for the whole JVM, per application. A snapshot, not a live view.
 */
public final class TaskStatistics {

    private final String application;
    private final long registered;
    private final long completed;
    private final long failed;
    private final long cancelled;
    private final long rejected;
    private final long pending;
    private final Duration oldestPendingAge;

    TaskStatistics(
            String application,
            long registered,
            long completed,
            long failed,
            long cancelled,
            long rejected,
            long pending,
            Duration oldestPendingAge) {
        this.application = application;
        this.registered = registered;
        this.completed = completed;
        this.failed = failed;
        this.cancelled = cancelled;
        this.rejected = rejected;
        this.pending = pending;
        this.oldestPendingAge = oldestPendingAge;
    }

    /**
     * The application counted; see {@link PendingTask#application()}.
     *
     * @return its name, or {@code JVM}
     */
    public String application() {
        return application;
    }

    /**
     * Tasks accepted (registered, started with {@code run}/{@code supply}, or captured).
     *
     * @return the count since the runtime started
     */
    public long registered() {
        return registered;
    }

    /**
     * Tasks that ended normally.
     *
     * @return the count since the runtime started
     */
    public long completed() {
        return completed;
    }

    /**
     * Tasks that ended by an exception.
     *
     * @return the count since the runtime started
     */
    public long failed() {
        return failed;
    }

    /**
     * Tasks that were cancelled.
     *
     * @return the count since the runtime started
     */
    public long cancelled() {
        return cancelled;
    }

    /**
     * Tasks refused: after a drain, or with the executor's queue full.
     *
     * @return the count since the runtime started
     */
    public long rejected() {
        return rejected;
    }

    /**
     * Tasks not ended yet.
     *
     * @return the count now
     */
    public long pending() {
        return pending;
    }

    /**
     * The age of the oldest pending task.
     *
     * @return the age, {@link Duration#ZERO} when nothing is pending
     */
    public Duration oldestPendingAge() {
        return oldestPendingAge;
    }

    /**
     * The counts in one line.
     *
     * @return a description for logs
     */
    @Override
    public String toString() {
        return "application " + application + ": registered " + registered + ", completed " + completed + ", failed "
                + failed + ", cancelled " + cancelled + ", rejected " + rejected + ", pending " + pending
                + " (oldest " + oldestPendingAge.toMillis() + " ms)";
    }
}
