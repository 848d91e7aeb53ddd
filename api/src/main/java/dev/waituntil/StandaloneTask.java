package dev.waituntil;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One task that standalone mode tracks, and the completion callback of its future. Its own monitor is what a
 * drain waits on, so completion wakes it at once. A completion may run after a container stopped the
 * application's class loader: {@link StandaloneBackend#newShutdownHook} loads what this class refers to first.
 */
final class StandaloneTask implements BiConsumer<Object, Throwable> {

    private static final Logger LOG = Logger.getLogger("dev.waituntil");

    private final String label;
    private final Object task;
    private final long registeredAt = System.nanoTime();
    private final String thread = Thread.currentThread().getName();
    private final long id;
    /** The pending tasks it belongs to, which it leaves when it completes. */
    private final Set<StandaloneTask> pending;
    /** Counts its end and tells the listeners. */
    private final StandaloneEvents events;
    /** Completed with its end event; set when a listener heard it start, else null. */
    volatile CompletableFuture<TaskEnded> end;

    private boolean done;
    /** Whether its end has been counted and told; once only, whoever sees it first. */
    private final AtomicBoolean reported = new AtomicBoolean();

    StandaloneTask(long id, String label, Object task, Set<StandaloneTask> pending, StandaloneEvents events) {
        this.id = id;
        this.label = label;
        this.task = task;
        this.pending = pending;
        this.events = events;
    }

    long id() {
        return id;
    }

    long ageNanos() {
        return System.nanoTime() - registeredAt;
    }

    /** Counts and tells how it ended, the first time only. */
    void report(TaskOutcome outcome, Throwable failure) {
        if (reported.compareAndSet(false, true)) {
            events.ended(this, outcome, failure);
        }
    }

    /** A plain future seen done: how it ended, read without waiting. */
    void reportDone() {
        if (task instanceof CompletionStage) {
            return; // its callback reports it
        }
        Future<?> future = (Future<?>) task;
        try {
            future.get(0, TimeUnit.NANOSECONDS);
            report(TaskOutcome.COMPLETED, null);
        } catch (ExecutionException e) {
            report(TaskOutcome.FAILED, e.getCause() != null ? e.getCause() : e);
        } catch (CancellationException e) {
            report(TaskOutcome.CANCELLED, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            // not done after all
        }
    }

    String label() {
        return label != null
                ? label
                : "task-" + id + " (" + task.getClass().getSimpleName() + ") from thread '" + thread + "'";
    }

    long ageMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - registeredAt);
    }

    @Override
    public void accept(Object value, Throwable failure) {
        TaskOutcome outcome = TaskOutcome.COMPLETED;
        Throwable cause = null;
        try {
            if (failure != null) {
                cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                if (cause instanceof CancellationException) {
                    outcome = TaskOutcome.CANCELLED;
                    LOG.warning("wait-until: task '" + label() + "' was cancelled");
                } else {
                    outcome = TaskOutcome.FAILED;
                    LOG.log(Level.WARNING, "wait-until: task '" + label() + "' failed", cause);
                }
            }
        } finally {
            pending.remove(this);
            synchronized (this) {
                done = true;
                notifyAll();
            }
        }
        report(outcome, outcome == TaskOutcome.FAILED ? cause : null);
    }

    boolean isDone() {
        if (task instanceof CompletionStage) {
            synchronized (this) {
                return done;
            }
        }
        return ((Future<?>) task).isDone();
    }

    /** @return false if the deadline passed first */
    boolean await(long deadline) {
        try {
            if (task instanceof CompletionStage) {
                synchronized (this) {
                    long remaining;
                    while (!done && (remaining = deadline - System.nanoTime()) > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, remaining);
                    }
                    return done;
                }
            }
            Future<?> future = (Future<?>) task;
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                report(TaskOutcome.COMPLETED, null);
            } catch (ExecutionException e) {
                LOG.log(Level.WARNING, "wait-until: task '" + label() + "' failed", e.getCause());
                report(TaskOutcome.FAILED, e.getCause() != null ? e.getCause() : e);
            } catch (CancellationException e) {
                LOG.warning("wait-until: task '" + label() + "' was cancelled");
                report(TaskOutcome.CANCELLED, null);
            }
            pending.remove(this);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void cancel() {
        if (task instanceof Future) {
            ((Future<?>) task).cancel(true);
        } else {
            try {
                ((CompletionStage<?>) task).toCompletableFuture().cancel(true);
            } catch (UnsupportedOperationException e) {
                // A stage that cannot be cancelled from outside: it has been named, nothing more to do.
            }
        }
    }
}
