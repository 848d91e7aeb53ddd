package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.LogText;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;

/**
 * One registered task: what it is, where it came from and since when. It is also the completion
 * callback of its future, so that tracking a {@code CompletableFuture} costs no extra object.
 */
public final class TrackedTask implements BiConsumer<Object, Throwable> {

    private static final AtomicIntegerFieldUpdater<TrackedTask> STATE =
            AtomicIntegerFieldUpdater.newUpdater(TrackedTask.class, "state");
    private static final AtomicReferenceFieldUpdater<TrackedTask, Extras> EXTRAS =
            AtomicReferenceFieldUpdater.newUpdater(TrackedTask.class, Extras.class, "extras");

    // The bits of state. A record is made for every task, so its flags share one int rather than a field each.
    /** The one transition from pending: only the winner reports the outcome. */
    private static final int FINISHED = 1;
    /** Set by a drain that gave up on it and named it: two drains of one stop name it once. */
    private static final int NAMED = 1 << 1;
    /** Set by whoever cancels it and names it in the log (a drain, the watchdog), so that its end does not again. */
    private static final int CANCELLATION_NAMED = 1 << 2;
    /**
     * A registration of captured work whose outcome was counted with the captured record, which ended first: its
     * own end is logged but not counted again. Set before the task can end.
     */
    private static final int OUTCOME_COUNTED = 1 << 3;
    /** The record of captured work (handed to an executor), not of a registration or run/supply; never changes. */
    private static final int CAPTURED = 1 << 4;
    // The watchdog's marks; only its one thread sets them.
    private static final int WARNED = 1 << 5;
    private static final int TIMED_OUT = 1 << 6;
    /** Above the flags: how many error lines the watchdog has written about it. */
    private static final int ERRORS_SHIFT = 8;

    private static final int MAX_ERRORS = Integer.MAX_VALUE >>> ERRORS_SHIFT;

    private final TaskCompletion completion;
    private final long id;
    /**
     * The label given at registration (null: one is generated), or for captured work how it was handed over ({@code
     * ThreadPoolExecutor.submit}); its {@link #future} is then the application's task itself.
     */
    private final String text;
    /** The request that registered it, or, with none, the name of the thread that did (for a generated label). */
    private final Object origin;

    private final long registeredNanos;
    private final Scope scope;
    private final Object future;

    private volatile int state;
    /** What few tasks need: made by the first that does. */
    private volatile Extras extras;
    /** Its neighbours in its scope's list of pending tasks ({@link PendingTasks}), which guards them. */
    TrackedTask previousPending;

    TrackedTask nextPending;

    TrackedTask(TaskCompletion completion, long id, String label, Object future, Scope scope, RequestInfo request) {
        this(completion, id, label, future, scope, request, null);
    }

    /** @param via for captured work, how it was handed over; null for a registered or run/supply task */
    TrackedTask(
            TaskCompletion completion,
            long id,
            String label,
            Object future,
            Scope scope,
            RequestInfo request,
            String via) {
        this.completion = completion;
        this.id = id;
        this.text = via != null ? via : label;
        this.origin = request != null
                ? request
                : (label == null ? Thread.currentThread().getName() : null);
        this.registeredNanos = System.nanoTime();
        this.scope = scope;
        this.future = future;
        if (via != null) {
            STATE.lazySet(this, CAPTURED); // published with the record itself; a registration writes nothing here
        }
    }

    /** The label given at registration, or one generated from the task's type and origin. */
    public String label() {
        boolean captured = captured();
        if (text != null && !captured) {
            return text;
        }
        RequestInfo request = request();
        String from = request != null ? request.method() + " " + request.uri() : "thread '" + origin + "'";
        if (captured) {
            return text + " from " + from;
        }
        return "task-" + id + " (" + future.getClass().getSimpleName() + ") from " + from;
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
        return origin instanceof RequestInfo ? (RequestInfo) origin : null;
    }

    public Scope scope() {
        return scope;
    }

    Object future() {
        return future;
    }

    /** Whether this is the record of captured work (handed to an executor), not of a registration or run/supply. */
    boolean captured() {
        return (state & CAPTURED) != 0;
    }

    boolean isPlainFuture() {
        return !captured() && !(future instanceof CompletionStage);
    }

    boolean isDone() {
        return (state & FINISHED) != 0;
    }

    /** Claims the right to name this task as abandoned at a deadline; true for one drain only. */
    boolean claimNaming() {
        return claim(NAMED);
    }

    /** Claims the one transition from pending to finished; only the winner reports the outcome. */
    boolean finish() {
        return claim(FINISHED);
    }

    /** Whether whoever cancelled it (a drain, the watchdog, the application) named it in the log already. */
    boolean cancellationNamed() {
        return (state & CANCELLATION_NAMED) != 0;
    }

    void cancellationNamed(boolean named) {
        set(CANCELLATION_NAMED, named);
    }

    /** Whether its outcome was counted with the captured work it adopted: its end is logged, not counted again. */
    boolean outcomeCounted() {
        return (state & OUTCOME_COUNTED) != 0;
    }

    void outcomeCounted(boolean counted) {
        set(OUTCOME_COUNTED, counted);
    }

    /** The watchdog's: whether it has warned of this task's age, or said more. */
    boolean warned() {
        return (state & WARNED) != 0;
    }

    void warned(boolean warned) {
        set(WARNED, warned);
    }

    /** The watchdog's: whether it has timed this task out. */
    boolean timedOut() {
        return (state & TIMED_OUT) != 0;
    }

    void timedOut(boolean timedOut) {
        set(TIMED_OUT, timedOut);
    }

    /** The watchdog's: how many error lines it has written about this task. */
    int errorsLogged() {
        return state >>> ERRORS_SHIFT;
    }

    void errorsLogged(long count) {
        int n = (int) Math.min(count, MAX_ERRORS);
        for (int s = state; !STATE.compareAndSet(this, s, (s & ((1 << ERRORS_SHIFT) - 1)) | (n << ERRORS_SHIFT)); ) {
            s = state;
        }
    }

    /**
     * For captured work: the future its run completes ({@code CompletableFuture.runAsync}'s), once known; a
     * registration of that future adopts the work.
     */
    Object completes() {
        Extras e = extras;
        return e == null ? null : e.completes;
    }

    void completes(Object future) {
        extras().completes = future;
    }

    /**
     * For captured work handed over in a task that belongs to no request: that task, which remembers the future of the
     * work once it has ended ({@link CapturedFutures}); null otherwise.
     */
    TrackedTask handedOverIn() {
        Extras e = extras;
        return e == null ? null : e.handedOverIn;
    }

    void handedOverIn(TrackedTask task) {
        extras().handedOverIn = task;
    }

    /** Captured work handed over in this task, which belongs to no request, that completes {@code future} has ended. */
    void capturedWorkEnded(Object future) {
        Extras e = extras();
        EndedFutures ended = e.endedCapturedWork;
        if (ended == null) {
            synchronized (e) {
                ended = e.endedCapturedWork;
                if (ended == null) {
                    ended = e.endedCapturedWork = new EndedFutures();
                }
            }
        }
        ended.add(future);
    }

    /** Whether {@code future} is among the last futures of captured work handed over in this task to end. */
    boolean endedCapturedWork(Object future) {
        Extras e = extras;
        EndedFutures ended = e == null ? null : e.endedCapturedWork;
        return ended != null && ended.contains(future);
    }

    /**
     * For captured work that is not a {@code Future} itself: the future the executor made for it after the hand-over
     * ({@code ThreadPerTaskExecutor.submit}'s), which cancels it; null where there is none.
     */
    Future<?> cancelledThrough() {
        Extras e = extras;
        return e == null ? null : e.cancelledThrough;
    }

    void cancelledThrough(Future<?> future) {
        extras().cancelledThrough = future;
    }

    /** Completed with the task's end event; set when a listener heard it start, else null. */
    CompletableFuture<Object[]> endSignal() {
        Extras e = extras;
        return e == null ? null : e.endSignal;
    }

    void endSignal(CompletableFuture<Object[]> signal) {
        extras().endSignal = signal;
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
            if (captured()) {
                // A captured task ends when its run does; a Future (what submit hands over) can be told to stop.
                Future<?> own = future instanceof Future ? (Future<?>) future : cancelledThrough();
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
        RequestInfo request = request();
        if (request != null) {
            b.append(", request ").append(request);
        }
        if (!scope.isRoot()) {
            b.append(", application ").append(scope.name());
        }
        return b.append(')').toString();
    }

    /**
     * The id, which is unique in its runtime; equality stays identity. An identity hash would have the JVM generate
     * one and install it in the object's header (a compare-and-swap), should anything hash a task.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Sets {@code flag}; true if this call did, false if it was set already. */
    private boolean claim(int flag) {
        for (int s = state; (s & flag) == 0; s = state) {
            if (STATE.compareAndSet(this, s, s | flag)) {
                return true;
            }
        }
        return false;
    }

    private void set(int flag, boolean on) {
        for (int s = state; ; s = state) {
            int next = on ? s | flag : s & ~flag;
            if (next == s || STATE.compareAndSet(this, s, next)) {
                return;
            }
        }
    }

    private Extras extras() {
        Extras e = extras;
        if (e == null) {
            e = new Extras();
            if (!EXTRAS.compareAndSet(this, null, e)) {
                e = extras;
            }
        }
        return e;
    }

    /**
     * The fields that only captured work, a task whose start a listener heard, or a task without a request that hands
     * work over needs.
     */
    private static final class Extras {
        volatile Object completes;
        volatile TrackedTask handedOverIn;
        volatile EndedFutures endedCapturedWork;
        volatile Future<?> cancelledThrough;
        volatile CompletableFuture<Object[]> endSignal;
    }
}
