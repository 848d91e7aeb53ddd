package dev.waituntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Standalone mode's counts and listeners, the in-process counterpart of the agent's: counts every start and end,
 * and tells the listeners, if any. With none, a task costs a counter increment and no allocation.
 */
final class StandaloneEvents {

    private static final Logger LOG = Logger.getLogger("dev.waituntil");
    /** Standalone mode has no application scopes: each copy of the API tracks its own tasks. */
    static final String APPLICATION = "JVM";

    private static final Registered[] NONE = new Registered[0];
    private static final Function<Object, TaskEnded> AS_ENDED = e -> (TaskEnded) e;

    final LongAdder registered = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder rejected = new LongAdder();

    private volatile Registered[] listeners = NONE;

    TaskSubscription add(TaskListener listener) {
        final Registered added = new Registered(listener);
        synchronized (this) {
            Registered[] old = listeners;
            Registered[] grown = new Registered[old.length + 1];
            System.arraycopy(old, 0, grown, 0, old.length);
            grown[old.length] = added;
            listeners = grown;
        }
        return Subscriptions.closing(new AutoCloseable() {
            @Override
            public void close() {
                remove(added);
            }
        });
    }

    private synchronized void remove(Registered listener) {
        List<Registered> kept = new ArrayList<Registered>();
        for (Registered l : listeners) {
            if (l != listener) {
                kept.add(l);
            }
        }
        listeners = kept.isEmpty() ? NONE : kept.toArray(new Registered[0]);
    }

    /** This copy of the API is being torn down with its application: nobody is told anything any more. */
    synchronized void dropAll() {
        listeners = NONE;
    }

    void started(StandaloneTask task) {
        registered.increment();
        Registered[] all = listeners;
        if (all.length == 0) {
            return;
        }
        CompletableFuture<TaskEnded> end = new CompletableFuture<TaskEnded>();
        task.end = end;
        TaskStarted event = new TaskStarted(APPLICATION, task.id(), task.label(), null, end, AS_ENDED);
        for (Registered l : all) {
            l.started(event);
        }
    }

    /** @param failure for a failed task, what it threw; otherwise null */
    void ended(StandaloneTask task, TaskOutcome outcome, Throwable failure) {
        switch (outcome) {
            case COMPLETED:
                completed.increment();
                break;
            case FAILED:
                failed.increment();
                break;
            case CANCELLED:
                cancelled.increment();
                break;
            default:
                rejected.increment();
        }
        Registered[] all = listeners;
        CompletableFuture<TaskEnded> end = task.end;
        if (all.length == 0 && end == null) {
            return;
        }
        TaskEnded event = new TaskEnded(
                APPLICATION,
                task.id(),
                task.label(),
                null,
                outcome,
                outcome == TaskOutcome.REJECTED ? Duration.ZERO : Duration.ofNanos(task.ageNanos()),
                failure);
        for (Registered l : all) {
            l.ended(event);
        }
        if (end != null) {
            end.complete(event);
        }
    }

    void drainEnded(long elapsedNanos, boolean reachedDeadline) {
        Registered[] all = listeners;
        if (all.length == 0) {
            return;
        }
        DrainEnded event = new DrainEnded(APPLICATION, Duration.ofNanos(elapsedNanos), reachedDeadline);
        for (Registered l : all) {
            l.drained(event);
        }
    }

    /** A listener, and whether it has failed once (and been logged). */
    private static final class Registered {
        private final TaskListener listener;
        private final AtomicBoolean failed = new AtomicBoolean();

        Registered(TaskListener listener) {
            this.listener = listener;
        }

        void started(TaskStarted event) {
            try {
                listener.taskStarted(event);
            } catch (Throwable e) {
                failed(e);
            }
        }

        void ended(TaskEnded event) {
            try {
                listener.taskEnded(event);
            } catch (Throwable e) {
                failed(e);
            }
        }

        void drained(DrainEnded event) {
            try {
                listener.drainEnded(event);
            } catch (Throwable e) {
                failed(e);
            }
        }

        private void failed(Throwable e) {
            if (failed.compareAndSet(false, true)) {
                try {
                    LOG.log(
                            Level.WARNING,
                            "wait-until: a task listener ("
                                    + listener.getClass().getName() + ") threw; tasks go on,"
                                    + " and further failures of this listener are not logged",
                            e);
                } catch (Throwable logging) {
                    // nothing more to do: the task must not be disturbed
                }
            }
        }
    }
}
