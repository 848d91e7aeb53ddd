package dev.waituntil.agent.runtime;

import java.lang.ref.WeakReference;
import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of tasks that is drained together: the whole JVM (the root), or one web application,
 * identified by its class loader. A request is not a scope of its own: its tasks belong to its
 * application and merely name the request.
 *
 * <p>An application scope holds its class loader weakly; it never keeps an undeployed
 * application alive.
 */
public final class Scope {

    enum State {
        OPEN,
        DRAINING,
        DRAINED
    }

    private final Scope parent;
    private final WeakReference<ClassLoader> loader;
    private volatile String name;
    private volatile boolean named;
    volatile State state = State.OPEN;
    /** What the drain that closed it was for ({@code "its stop"}, {@code "an operator (JMX)"}), for rejections. */
    volatile String drainedFor;

    /** Pending tasks, each removed the moment it completes. */
    final PendingTasks tasks = new PendingTasks();
    /** The subset of {@link #tasks} that are plain futures: no callback, so drains wait on them. */
    final Queue<TrackedTask> plainFutures = new ConcurrentLinkedQueue<>();
    /** This scope's own share of the runtime's counts. */
    final TaskCounters counts = new TaskCounters();
    /** Requests being served (async ones until they complete): they may still register tasks. */
    final AtomicInteger inFlight = new AtomicInteger();
    /** Set when a drain of this scope has ended: a later drain (another hook of the same stop) returns at once. */
    volatile boolean drainEnded;

    private Scope(Scope parent, ClassLoader loader, String name) {
        this.parent = parent;
        this.loader = loader == null ? null : new WeakReference<>(loader);
        this.name = name;
    }

    static Scope root() {
        return new Scope(null, null, "JVM");
    }

    static Scope application(Scope root, ClassLoader loader) {
        return new Scope(root, loader, describe(loader));
    }

    public String name() {
        return name;
    }

    /** Gives the application a better name (its context path) once a hook knows it; the first one wins. */
    public void rename(String better) {
        if (!named) {
            this.name = better;
            this.named = true;
        }
    }

    public boolean isNamed() {
        return named;
    }

    public boolean isRoot() {
        return parent == null;
    }

    public boolean isDrained() {
        return state == State.DRAINED || (parent != null && parent.state == State.DRAINED);
    }

    /** Why this scope accepts no new tasks, for the rejection's message. */
    String drainedReason() {
        Scope closed = state == State.DRAINED || parent == null ? this : parent;
        String why = closed.drainedFor;
        return closed + " has been drained for " + (why == null ? "its stop" : why);
    }

    /** Whether this is the scope of {@code candidate}; false once that loader has been collected. */
    boolean belongsTo(ClassLoader candidate) {
        return loader != null && loader.get() == candidate;
    }

    boolean isLoaderCollected() {
        return loader != null && loader.get() == null;
    }

    public int pendingCount() {
        return tasks.size();
    }

    public int requestsInFlight() {
        return inFlight.get();
    }

    public long registeredCount() {
        return counts.registeredCount();
    }

    public long completedCount() {
        return counts.completedCount();
    }

    public long failedCount() {
        return counts.failedCount();
    }

    public long cancelledCount() {
        return counts.cancelledCount();
    }

    public long rejectedCount() {
        return counts.rejectedCount();
    }

    Collection<TrackedTask> pendingTasks() {
        return tasks;
    }

    @Override
    public String toString() {
        return isRoot() ? "the JVM" : "application " + name;
    }

    /** Class loaders' own descriptions can span lines (Tomcat's does); keep the first one. */
    private static String describe(ClassLoader loader) {
        String text = String.valueOf(loader).trim();
        int eol = text.indexOf('\n');
        if (eol > 0) {
            text = text.substring(0, eol).trim();
        }
        return text.length() > 120 ? text.substring(0, 120) : text;
    }
}
