package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.AgentLog;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;

/**
 * The end of a task: counts and logs how it ended, takes it out of its scope, and wakes a drain that
 * waits for that scope. A {@code CompletionStage} reports its end by callback; a plain {@code Future}
 * has none, and ends here when it is seen done.
 */
final class TaskCompletion {

    private static final Logger LOG = AgentLog.get(TaskCompletion.class);

    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";
    static final String REJECTED = "rejected";

    private final TaskCounters counters;
    private final DrainSignal drains;
    private final boolean debug;
    private final CapturedFutures capturedFutures;
    private final TaskEvents events;

    TaskCompletion(TaskCounters counters, DrainSignal drains, boolean debug) {
        this(counters, drains, debug, new CapturedFutures(), new TaskEvents());
    }

    TaskCompletion(
            TaskCounters counters,
            DrainSignal drains,
            boolean debug,
            CapturedFutures capturedFutures,
            TaskEvents events) {
        this.capturedFutures = capturedFutures;
        this.events = events;
        this.counters = counters;
        this.drains = drains;
        this.debug = debug;
    }

    /** The futures that captured work completes, which this forgets as the work ends. */
    CapturedFutures capturedFutures() {
        return capturedFutures;
    }

    /** The listeners to tell of each start and end. */
    TaskEvents events() {
        return events;
    }

    /** A task ended: normally, exceptionally, or cancelled. Runs on the completing thread; never throws. */
    void completed(TrackedTask task, Throwable failure) {
        if (!task.finish()) {
            return;
        }
        String outcome = null;
        Throwable cause = null;
        try {
            cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause == null) {
                outcome = COMPLETED;
                if (!task.outcomeCounted()) {
                    counters.completed(task.scope());
                }
                if (debug) {
                    LOG.info("wait-until: task {} completed", task.describe());
                }
            } else if (cause instanceof CancellationException) {
                outcome = CANCELLED;
                if (!task.outcomeCounted()) {
                    counters.cancelled(task.scope());
                }
                if (!task.cancellationNamed()) { // the drain or the watchdog has named it already
                    LOG.warn("wait-until: task {} was cancelled", task.describe());
                } else if (debug) {
                    LOG.info("wait-until: task {} ended, cancelled", task.describe());
                }
            } else {
                outcome = FAILED;
                if (!task.outcomeCounted()) {
                    counters.failed(task.scope());
                }
                LOG.error("wait-until: task " + task.describe() + " failed", cause);
            }
        } catch (Throwable logging) {
            // Logging must never break the thread that completed the application's future.
        }
        try {
            if (outcome != null) {
                // Before the removal: a drain that waits for this task ends after its listeners heard of its end. A
                // registration whose captured work ended first was told of already, as that work's end.
                events.ended(task, outcome, outcome == FAILED ? cause : null, !task.outcomeCounted());
            }
        } finally {
            remove(task);
        }
    }

    /**
     * Removes a task that was never accepted, or a captured record whose work a registration has adopted, without
     * counting or logging it.
     *
     * @return false if it had ended already
     */
    boolean discard(TrackedTask task) {
        if (task.finish()) {
            remove(task);
            return true;
        }
        return false;
    }

    /** Ends the plain futures of {@code scope} that are done: nothing else would notice. */
    void sweepPlainFutures(Scope scope) {
        for (TrackedTask task : scope.plainFutures) {
            if (((Future<?>) task.future()).isDone()) {
                observeDone(task);
            }
        }
    }

    /** Completes a plain future known to be done, reporting how it ended. */
    void observeDone(TrackedTask task) {
        Future<?> future = (Future<?>) task.future();
        Throwable failure = null;
        try {
            future.get(0, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            failure = e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (TimeoutException e) {
            return; // not done after all
        }
        completed(task, failure);
    }

    private void remove(TrackedTask task) {
        Scope scope = task.scope();
        scope.tasks.remove(task);
        if (task.isPlainFuture()) {
            scope.plainFutures.remove(task);
        } else if (task.captured()) {
            capturedFutures.ended(task);
        }
        if (drains.anyWaiting() && scope.tasks.isEmpty()) {
            drains.signal();
        }
    }
}
