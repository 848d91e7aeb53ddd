package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Tells listeners (the API's observation surface, and through it Micrometer, the JUnit extension) that a task
 * started or ended and that a drain ended. Events are {@code Object[]} records of JDK types, laid out as
 * {@link dev.waituntil.bootstrap.WaitUntilBridge#addListener} documents, because every web application has its own
 * copy of the API's classes.
 *
 * <p>With no listener, a task costs one volatile read at its start and one at its end, and nothing is allocated.
 * A listener runs on the thread where the event happens; whatever it throws is caught and logged once for that
 * listener. A listener is owned by the application that added it: it is dropped when that application is drained
 * (undeployed), so that the runtime never keeps a stopped application's classes alive through it.
 */
public final class TaskEvents {

    private static final Logger LOG = AgentLog.get(TaskEvents.class);

    public static final String STARTED = "started";
    public static final String ENDED = "ended";
    public static final String DRAINED = "drained";

    private static final Listener[] NONE = new Listener[0];

    /** Copied on write: listeners come and go rarely, events are many. */
    private volatile Listener[] listeners = NONE;

    /** Whether anyone listens: the one check an event costs when nobody does. */
    boolean active() {
        return listeners.length != 0;
    }

    /**
     * Adds a listener owned by {@code owner}.
     *
     * @param everyApplication whether it hears the events of every scope, or only those of {@code owner}
     * @return closes the subscription; closing twice is harmless
     */
    public AutoCloseable add(Consumer<Object[]> consumer, Scope owner, boolean everyApplication) {
        Listener listener = new Listener(consumer, owner, everyApplication);
        synchronized (this) {
            Listener[] old = listeners;
            Listener[] grown = new Listener[old.length + 1];
            System.arraycopy(old, 0, grown, 0, old.length);
            grown[old.length] = listener;
            listeners = grown;
        }
        return () -> remove(listener);
    }

    private synchronized boolean remove(Listener listener) {
        List<Listener> kept = new ArrayList<>();
        boolean found = false;
        for (Listener l : listeners) {
            if (l == listener) {
                found = true;
            } else {
                kept.add(l);
            }
        }
        listeners = kept.isEmpty() ? NONE : kept.toArray(new Listener[0]);
        return found;
    }

    /** Drops the listeners that {@code drained}'s application added: it is being undeployed. */
    synchronized int dropOwnedBy(Scope drained) {
        if (drained.isRoot()) {
            return 0; // a JVM-wide drain: the JVM is stopping, and each application's own drain drops its listeners
        }
        int dropped = 0;
        for (Listener l : listeners) {
            if (l.owner == drained && remove(l)) {
                dropped++;
            }
        }
        return dropped;
    }

    /** A task was admitted into its scope. */
    void started(TrackedTask task) {
        if (listeners.length == 0) {
            return;
        }
        CompletableFuture<Object[]> end = new CompletableFuture<>();
        task.endSignal(end);
        publish(
                new Object[] {STARTED, applicationOf(task.scope()), task.id(), task.label(), requestOf(task), end},
                task.scope());
    }

    /**
     * A task ended.
     *
     * @param outcome {@code completed}, {@code failed}, {@code cancelled} or {@code rejected}
     * @param failure for {@code failed}, the exception; otherwise null
     * @param publish false when the listeners heard of this end already (as the end of the captured work that a
     *     registration adopted): only whoever waits on the task's end is told
     */
    void ended(TrackedTask task, String outcome, Throwable failure, boolean publish) {
        CompletableFuture<Object[]> end = task.endSignal();
        if (end == null && (!publish || listeners.length == 0)) {
            return;
        }
        Object[] event = new Object[] {
            ENDED,
            applicationOf(task.scope()),
            task.id(),
            task.label(),
            requestOf(task),
            outcome,
            TaskCompletion.REJECTED.equals(outcome) ? 0L : System.nanoTime() - task.registeredNanos(),
            failure
        };
        if (publish) {
            publish(event, task.scope());
        }
        if (end != null) {
            end.complete(event);
        }
    }

    /** A drain of {@code scope} (for the JVM's scope: of every scope) ended. */
    void drainEnded(Scope scope, long elapsedNanos, boolean reachedDeadline) {
        if (listeners.length == 0) {
            return;
        }
        publish(new Object[] {DRAINED, applicationOf(scope), 0L, null, null, reachedDeadline, elapsedNanos}, scope);
    }

    private void publish(Object[] event, Scope scope) {
        for (Listener l : listeners) {
            if (l.everyApplication || l.owner == scope) {
                l.deliver(event);
            }
        }
    }

    /** The name events and queries give a scope: the application's (its context path once known), or {@code JVM}. */
    static String applicationOf(Scope scope) {
        return scope.name();
    }

    private static String requestOf(TrackedTask task) {
        RequestInfo request = task.request();
        return request == null ? null : request.toString();
    }

    private static final class Listener {
        final Consumer<Object[]> consumer;
        final Scope owner;
        final boolean everyApplication;
        private final AtomicBoolean failed = new AtomicBoolean();

        Listener(Consumer<Object[]> consumer, Scope owner, boolean everyApplication) {
            this.consumer = consumer;
            this.owner = owner;
            this.everyApplication = everyApplication;
        }

        void deliver(Object[] event) {
            try {
                consumer.accept(event);
            } catch (Throwable e) {
                // The task, the drain and every other listener go on; a listener that fails on every event
                // must not flood the log.
                if (failed.compareAndSet(false, true)) {
                    try {
                        LOG.warn(
                                "wait-until: a task listener ("
                                        + consumer.getClass().getName()
                                        + ") threw on a '" + event[0]
                                        + "' event; the runtime goes on, and further failures of this listener are "
                                        + "not logged",
                                e);
                    } catch (Throwable logging) {
                        // Logging must not break the thread that completed the application's task either.
                    }
                }
            }
        }
    }
}
