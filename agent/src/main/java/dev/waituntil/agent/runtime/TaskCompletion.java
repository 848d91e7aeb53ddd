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

    private final TaskCounters counters;
    private final DrainSignal drains;
    private final boolean debug;
    private final CapturedFutures capturedFutures;

    TaskCompletion(TaskCounters counters, DrainSignal drains, boolean debug) {
        this(counters, drains, debug, new CapturedFutures());
    }

    TaskCompletion(TaskCounters counters, DrainSignal drains, boolean debug, CapturedFutures capturedFutures) {
        this.capturedFutures = capturedFutures;
        this.counters = counters;
        this.drains = drains;
        this.debug = debug;
    }

    /** The futures that captured work completes, which this forgets as the work ends. */
    CapturedFutures capturedFutures() {
        return capturedFutures;
    }

    /** A task ended: normally, exceptionally, or cancelled. Runs on the completing thread; never throws. */
    void completed(TrackedTask task, Throwable failure) {
        if (!task.finish()) {
            return;
        }
        try {
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause == null) {
                if (!task.outcomeCounted) {
                    counters.completed();
                }
                if (debug) {
                    LOG.info("wait-until: task {} completed", task.describe());
                }
            } else if (cause instanceof CancellationException) {
                if (!task.outcomeCounted) {
                    counters.cancelled();
                }
                if (!task.cancellationNamed) { // the drain or the watchdog has named it already
                    LOG.warn("wait-until: task {} was cancelled", task.describe());
                } else if (debug) {
                    LOG.info("wait-until: task {} ended, cancelled", task.describe());
                }
            } else {
                if (!task.outcomeCounted) {
                    counters.failed();
                }
                LOG.error("wait-until: task " + task.describe() + " failed", cause);
            }
        } catch (Throwable logging) {
            // Logging must never break the thread that completed the application's future.
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
