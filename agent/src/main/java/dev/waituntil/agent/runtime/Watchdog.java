package dev.waituntil.agent.runtime;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.log.AgentLog;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * Bounds what runs after the response: names a task that has run for {@code waituntil.task.warnAfter}
 * (once) and for {@code waituntil.task.errorAfter} (then every {@link #ERROR_REPEAT}), and cancels
 * one that has run for {@code waituntil.task.timeout}. A task's age counts from its registration.
 *
 * <p>One daemon thread for the whole JVM, and nothing per task: no timer is scheduled at
 * registration, which stays as cheap as it is without a watchdog. The thread sleeps until the
 * earliest moment a pending task can reach a threshold, then looks at the pending tasks once. Every
 * task registered after a look reaches its first threshold no sooner than that look plus the
 * smallest threshold, so sleeping at most that long never misses one, and registration never has
 * to wake the thread. Looks are at least {@link #resolution} apart, so a crowd of tasks with
 * staggered deadlines costs a bounded number of looks.
 */
final class Watchdog implements Runnable {

    private static final Logger LOG = AgentLog.get(Watchdog.class);

    /** Often enough that a stuck task stays in sight in the current log, rarely enough not to flood it. */
    static final Duration ERROR_REPEAT = Duration.ofMinutes(10);

    private static final long MIN_RESOLUTION = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_RESOLUTION = TimeUnit.SECONDS.toNanos(1);
    /** "Never", kept far enough from overflow that deadlines can still be compared by subtraction. */
    private static final long NEVER = Long.MAX_VALUE / 4;

    private final TaskRuntime runtime;
    private final Duration warnAfter;
    private final Duration errorAfter;
    private final Duration timeout;
    private final long warnNanos;
    private final long errorNanos;
    private final long timeoutNanos;
    private final long repeatNanos;
    private final long smallestThreshold;
    private final long resolution;
    private final Thread thread;
    private volatile boolean stopped;

    Watchdog(TaskRuntime runtime, Duration warnAfter, Duration errorAfter, Duration timeout, Duration errorRepeat) {
        this.runtime = runtime;
        this.warnAfter = warnAfter;
        this.errorAfter = errorAfter;
        this.timeout = timeout;
        this.warnNanos = nanos(warnAfter);
        this.errorNanos = nanos(errorAfter);
        this.timeoutNanos = nanos(timeout);
        this.repeatNanos = Math.max(1, nanos(errorRepeat));
        long smallest = NEVER;
        for (long t : new long[] {warnNanos, errorNanos, timeoutNanos}) {
            if (t > 0) {
                smallest = Math.min(smallest, t);
            }
        }
        this.smallestThreshold = smallest;
        this.resolution = Math.max(MIN_RESOLUTION, Math.min(MAX_RESOLUTION, smallest / 20));
        this.thread = AgentThreads.newThread(this, "wait-until-watchdog");
    }

    /** The watchdog the settings ask for, started; null when every threshold is 0 (off). */
    static Watchdog start(TaskRuntime runtime, Config config) {
        Duration warn = config.duration(Setting.TASK_WARN_AFTER);
        Duration error = config.duration(Setting.TASK_ERROR_AFTER);
        Duration timeout = config.duration(Setting.TASK_TIMEOUT);
        if (warn.isZero() && error.isZero() && timeout.isZero()) {
            return null;
        }
        Watchdog watchdog = new Watchdog(runtime, warn, error, timeout, ERROR_REPEAT);
        watchdog.thread.start();
        return watchdog;
    }

    @Override
    public void run() {
        while (!stopped) {
            long next;
            try {
                next = check(System.nanoTime());
            } catch (Throwable e) {
                // Never let the thread die: a task is only ever missed for one look.
                LOG.warn("wait-until: the task watchdog failed to look at the pending tasks; it tries again", e);
                next = System.nanoTime() + MAX_RESOLUTION;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
    }

    /**
     * Looks at every pending task once, as of {@code now}: logs or cancels what is due.
     *
     * @return when to look next, in {@link System#nanoTime()} terms
     */
    long check(long now) {
        long next = now + smallestThreshold;
        for (Scope scope : runtime.scopesIn(runtime.jvm())) {
            // A plain Future that is done would otherwise be named as still running.
            runtime.sweepPlainFutures(scope);
            for (TrackedTask task : scope.tasks) {
                long due = inspect(task, now);
                if (due - next < 0) {
                    next = due;
                }
            }
        }
        return next - (now + resolution) < 0 ? now + resolution : next;
    }

    /** @return the next moment something can be due for {@code task} */
    private long inspect(TrackedTask task, long now) {
        if (task.isDone()) {
            return now + NEVER;
        }
        long registered = task.registeredNanos();
        long age = now - registered;
        if (timeoutNanos > 0 && !task.timedOut() && age >= timeoutNanos) {
            task.timedOut(true);
            task.warned(true); // the timeout says more than the warning would
            if (timeOut(task)) {
                return now + NEVER;
            }
        }
        long nextErrorAge = 0;
        if (errorNanos > 0) {
            // Kept as a count in the task's state, not as a time: the record has no field to spare for it.
            nextErrorAge = errorNanos + task.errorsLogged() * repeatNanos;
            if (age >= nextErrorAge) {
                task.warned(true);
                LOG.error(
                        "wait-until: task {} has run longer than waituntil.task.errorAfter={}; this is logged again "
                                + "every {} while it runs",
                        task.describe(),
                        Config.format(errorAfter),
                        Config.format(Duration.ofNanos(repeatNanos)));
                long logged = (age - errorNanos) / repeatNanos + 1;
                task.errorsLogged(logged);
                nextErrorAge = errorNanos + logged * repeatNanos;
            }
        }
        if (warnNanos > 0 && !task.warned() && age >= warnNanos) {
            task.warned(true);
            LOG.warn(
                    "wait-until: task {} has run longer than waituntil.task.warnAfter={}",
                    task.describe(),
                    Config.format(warnAfter));
        }
        long due = now + NEVER;
        if (timeoutNanos > 0 && !task.timedOut()) {
            due = earlier(due, registered + timeoutNanos);
        }
        if (errorNanos > 0) {
            due = earlier(due, registered + nextErrorAge);
        }
        if (warnNanos > 0 && !task.warned()) {
            due = earlier(due, registered + warnNanos);
        }
        return due;
    }

    /** @return whether the task could be cancelled */
    private boolean timeOut(TrackedTask task) {
        task.cancellationNamed(true); // this line names it; the completion need not again
        String description = task.describe(); // before the cancel, which ends it
        if (task.cancel()) {
            LOG.warn(
                    "wait-until: task {} ran longer than waituntil.task.timeout={}; cancelled it",
                    description,
                    Config.format(timeout));
            return true;
        } else {
            task.cancellationNamed(false);
            LOG.warn(
                    "wait-until: task {} ran longer than waituntil.task.timeout={}, but its future cannot be cancelled "
                            + "from outside; it stays pending",
                    description,
                    Config.format(timeout));
            return false;
        }
    }

    private static long earlier(long a, long b) {
        return b - a < 0 ? b : a;
    }

    private static String format(long nanos) {
        return Config.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(nanos)));
    }

    private static long nanos(Duration d) {
        try {
            return Math.min(d.toNanos(), NEVER);
        } catch (ArithmeticException e) {
            return NEVER;
        }
    }

    @Override
    public String toString() {
        return "warnAfter=" + Config.format(warnAfter) + ", errorAfter=" + Config.format(errorAfter) + ", timeout="
                + Config.format(timeout) + " (looks no more often than every " + format(resolution) + ")";
    }
}
