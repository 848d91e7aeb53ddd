package dev.waituntil;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    private boolean done;

    StandaloneTask(long id, String label, Object task, Set<StandaloneTask> pending) {
        this.id = id;
        this.label = label;
        this.task = task;
        this.pending = pending;
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
        try {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                if (cause instanceof CancellationException) {
                    LOG.warning("wait-until: task '" + label() + "' was cancelled");
                } else {
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
            } catch (ExecutionException e) {
                LOG.log(Level.WARNING, "wait-until: task '" + label() + "' failed", e.getCause());
            } catch (CancellationException e) {
                LOG.warning("wait-until: task '" + label() + "' was cancelled");
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
