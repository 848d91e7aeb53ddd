package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.LogText;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;

/**
 * One registered task: what it is, where it came from and since when. It is also the completion
 * callback of its future, so that tracking a {@code CompletableFuture} costs no extra object.
 */
public final class TrackedTask implements BiConsumer<Object, Throwable> {

    private static final AtomicIntegerFieldUpdater<TrackedTask> STATE =
            AtomicIntegerFieldUpdater.newUpdater(TrackedTask.class, "state");
    private static final AtomicIntegerFieldUpdater<TrackedTask> NAMED =
            AtomicIntegerFieldUpdater.newUpdater(TrackedTask.class, "named");
    private static final int PENDING = 0;
    private static final int FINISHED = 1;

    private final TaskCompletion completion;
    private final long id;
    private final String label;
    /** For a generated label: the thread that registered the task, when no request did. */
    private final String thread;

    private final long registeredNanos;
    private final RequestInfo request;
    private final Scope scope;
    private final Object future;
    /**
     * For a task captured on its way to an executor: how it was handed over ({@code ThreadPoolExecutor.submit}); its
     * {@link #future} is then the application's task itself. Null for a registered or run/supply task.
     */
    private final String via;

    private volatile int state;
    /** Set by whoever cancels it and names it in the log (a drain, the watchdog), so that its end does not again. */
    volatile boolean cancellationNamed;
    /**
     * For captured work: the future its run completes ({@code CompletableFuture.runAsync}'s), once known; a
     * registration of that future adopts the work.
     */
    volatile Object completes;
    /**
     * For captured work that is not a {@code Future} itself: the future the executor made for it after the hand-over
     * ({@code ThreadPerTaskExecutor.submit}'s), which cancels it; null where there is none.
     */
    volatile Future<?> cancelledThrough;
    /**
     * A registration of captured work whose outcome was counted with the captured record, which ended first: its
     * own end is logged but not counted again. Set before the task can end.
     */
    boolean outcomeCounted;
    /** Completed with the task's end event; set when a listener heard it start, else null. */
    volatile CompletableFuture<Object[]> endSignal;
    /** 1 once a drain that gave up on it has named it: two drains of one stop name it once. */
    private volatile int named;

    // The watchdog's marks; only its one thread reads and writes them.
    boolean warned;
    boolean timedOut;
    /** The age, in ns, at which the next error line is due; 0 until the watchdog first looks. */
    long nextErrorAge;

    TrackedTask(TaskCompletion completion, long id, String label, Object future, Scope scope, RequestInfo request) {
        this(completion, id, label, future, scope, request, null);
    }

    TrackedTask(
            TaskCompletion completion,
            long id,
            String label,
            Object future,
            Scope scope,
            RequestInfo request,
            String via) {
        this.completion = completion;
        this.via = via;
        this.id = id;
        this.label = label;
        this.thread = label == null && request == null ? Thread.currentThread().getName() : null;
        this.registeredNanos = System.nanoTime();
        this.request = request;
        this.scope = scope;
        this.future = future;
    }

    /** The label given at registration, or one generated from the task's type and origin. */
    public String label() {
        if (label != null) {
            return label;
        }
        if (via != null) {
            return via + " from "
                    + (request != null ? request.method() + " " + request.uri() : "thread '" + thread + "'");
        }
        return "task-" + id + " (" + future.getClass().getSimpleName() + ") from "
                + (request != null ? request.method() + " " + request.uri() : "thread '" + thread + "'");
    }

    public long id() {
        return id;
    }

    long registeredNanos() {
        return registeredNanos;
    }

    public long ageNanos() {
        return System.nanoTime() - registeredNanos;
    }

    public long ageMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - registeredNanos);
    }

    public RequestInfo request() {
        return request;
    }

    public Scope scope() {
        return scope;
    }

    Object future() {
        return future;
    }

    /** Whether this is the record of captured work (handed to an executor), not of a registration or run/supply. */
    boolean captured() {
        return via != null;
    }

    boolean isPlainFuture() {
        return via == null && !(future instanceof CompletionStage);
    }

    boolean isDone() {
        return state != PENDING;
    }

    /** Claims the right to name this task as abandoned at a deadline; true for one drain only. */
    boolean claimNaming() {
        return NAMED.compareAndSet(this, 0, 1);
    }

    /** Claims the one transition from pending to finished; only the winner reports the outcome. */
    boolean finish() {
        return STATE.compareAndSet(this, PENDING, FINISHED);
    }

    /** Callback of a {@code CompletionStage}: runs on whichever thread completes it. */
    @Override
    public void accept(Object value, Throwable failure) {
        completion.completed(this, failure);
    }

    /**
     * Cancels the future, interrupting work started by run/supply.
     *
     * @return whether it is done now; false for a future that refuses ({@code minimalCompletionStage()}
     *         throws) or ignores the cancel (a stage whose {@code toCompletableFuture()} is a copy)
     */
    boolean cancel() {
        try {
            if (via != null) {
                // A captured task ends when its run does; a Future (what submit hands over) can be told to stop.
                Future<?> own = future instanceof Future ? (Future<?>) future : cancelledThrough;
                if (own != null) {
                    own.cancel(true);
                }
                return isDone();
            }
            if (future instanceof Future) {
                Future<?> f = (Future<?>) future;
                f.cancel(true);
                return f.isDone();
            }
            ((CompletionStage<?>) future).toCompletableFuture().cancel(true);
        } catch (RuntimeException e) {
            // UnsupportedOperationException, or the application's own cancel() failing: it stays pending,
            // and whoever called has named it in the log. That must not break a drain or the watchdog.
            return false;
        }
        return isDone();
    }

    /** {@code 'label' (age 1234 ms, request GET /x (request 7), application /shop)}: the form every log line uses. */
    public String describe() {
        StringBuilder b = new StringBuilder(LogText.quote(label()))
                .append(" (age ")
                .append(ageMillis())
                .append(" ms");
        if (request != null) {
            b.append(", request ").append(request);
        }
        if (!scope.isRoot()) {
            b.append(", application ").append(scope.name());
        }
        return b.append(')').toString();
    }

    /**
     * The id, which is unique in its runtime; equality stays identity. The pending set hashes every task once, and
     * an identity hash would have the JVM generate one and install it in the object's header (a compare-and-swap).
     */
    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return describe();
    }
}
