package dev.waituntil.agent.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.log.LogText;

/**
 * The one task runtime of the JVM: tracks registered tasks per scope, runs {@code run}/{@code supply}
 * work, and drains a scope when its application or the whole server stops.
 *
 * <p>Knows nothing of servlets, containers or bytecode: the hooks that do tell it which
 * application (class loader) and which request a registration belongs to, and when to drain.
 *
 * <p>Completion of a {@code CompletionStage} is observed by callback. A plain {@code Future} has
 * no callback: it is pending until seen done by {@link #pending} or waited on by a drain.
 */
public final class TaskRuntime {

    private static final Logger LOG = AgentLog.get(TaskRuntime.class);

    private final Config config;
    private final boolean debug;
    private final Scope root = Scope.root();
    /**
     * Application scopes; few per JVM, so an array searched by identity beats a weak map here. Copied
     * on write, and searched by index: the lookup runs for every request and must not allocate.
     */
    private volatile Scope[] applications = new Scope[0];
    /** When the server (or the JVM) began to stop: the one deadline of every drain that follows. 0: not stopping. */
    private final AtomicLong shutdownDeadline = new AtomicLong();
    private final TaskExecutor executor;
    /** Null when every task threshold is off. */
    private final Watchdog watchdog;
    private final AtomicLong ids = new AtomicLong();

    /** Drains wait on this; completions notify it only while a drain waits and a scope has emptied. */
    private final Object drainSignal = new Object();
    private final AtomicInteger drainsWaiting = new AtomicInteger();

    private final LongAdder registered = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    /** Tasks cancelled by drains at their deadline, so that every drain's summary can say so. */
    private final AtomicInteger cancelledAtDeadline = new AtomicInteger();

    public TaskRuntime(Config config) {
        this.config = config;
        this.debug = config.flag(Setting.DEBUG);
        this.executor = new TaskExecutor(config.number(Setting.EXECUTOR_THREADS), config.number(Setting.EXECUTOR_QUEUE));
        this.watchdog = Watchdog.start(this, config);
        if (debug && watchdog != null) {
            LOG.info("wait-until: task watchdog started: {}", watchdog);
        }
    }

    public Config config() {
        return config;
    }

    public boolean isDebug() {
        return debug;
    }

    // ---------------------------------------------------------------- scopes

    /** The JVM-wide scope: tasks of no application, and the parent of all. */
    public Scope jvm() {
        return root;
    }

    /**
     * The scope of the application whose class loader is {@code loader}; the JVM scope for null or
     * for the system class loader and its ancestors (a plain {@code main} program has no application).
     */
    public Scope scopeOf(ClassLoader loader) {
        if (loader == null || isSystemLoaderOrAncestor(loader)) {
            return root;
        }
        Scope known = find(loader);
        return known != null ? known : newApplication(loader);
    }

    /** The scope of {@code loader} if it has one already; null if the application never used wait-until. */
    public Scope existingScopeOf(ClassLoader loader) {
        if (loader == null || isSystemLoaderOrAncestor(loader)) {
            return root;
        }
        return find(loader);
    }

    private Scope find(ClassLoader loader) {
        Scope[] all = applications;
        for (int i = 0; i < all.length; i++) {
            if (all[i].belongsTo(loader)) {
                return all[i];
            }
        }
        return null;
    }

    private synchronized Scope newApplication(ClassLoader loader) {
        Scope known = find(loader);
        if (known != null) {
            return known;
        }
        List<Scope> kept = new ArrayList<>(applications.length + 1);
        for (Scope s : applications) {
            // Forget applications whose loader is gone and that have nothing left to drain.
            if (!(s.isLoaderCollected() && s.tasks.isEmpty() && s.inFlight.get() == 0)) {
                kept.add(s);
            }
        }
        Scope created = Scope.application(root, loader);
        kept.add(created);
        applications = kept.toArray(new Scope[0]);
        return created;
    }

    // ---------------------------------------------------------------- requests in flight

    /** A request entered its application: counted until {@link #requestEnded}. Allocates nothing. */
    public Scope requestStarted(ClassLoader application) {
        Scope scope = scopeOf(application);
        scope.inFlight.incrementAndGet();
        return scope;
    }

    /** A request ended (an async one: when it completed). */
    public void requestEnded(Scope scope) {
        if (scope.inFlight.decrementAndGet() <= 0 && drainsWaiting.get() > 0) {
            signalDrains();
        }
    }

    private static boolean isSystemLoaderOrAncestor(ClassLoader loader) {
        for (ClassLoader l = ClassLoader.getSystemClassLoader(); l != null; l = l.getParent()) {
            if (l == loader) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- registration

    /**
     * Tracks an already-started task.
     *
     * @param label the user's label, or null for a generated one
     * @param future a {@code CompletionStage} or a {@code Future}
     * @param scope the scope it belongs to
     * @param request the request that registered it, or null
     * @throws RejectedExecutionException if the scope has been drained; the message names the label and why
     */
    public TrackedTask register(String label, Object future, Scope scope, RequestInfo request) {
        Objects.requireNonNull(future, "task must not be null");
        if (!(future instanceof CompletionStage) && !(future instanceof Future)) {
            throw new IllegalArgumentException("task must be a CompletionStage or a Future, not " + future.getClass().getName());
        }
        TrackedTask task = track(label, future, scope, request);
        admit(task);
        if (future instanceof CompletionStage) {
            // May run at once, on this thread, if the stage has already completed.
            ((CompletionStage<?>) future).whenComplete(task);
        } else {
            scope.plainFutures.add(task);
            signalDrains(); // a waiting drain must start waiting on this future too
        }
        return task;
    }

    /**
     * Runs {@code body} on the executor, tracked in {@code scope}, with {@code context} (captured on the
     * caller's thread; null: none) while it runs; see {@code WaitUntil.run}.
     */
    public CompletableFuture<Void> run(String label, Runnable body, Scope scope, RequestInfo request,
                                       TaskContext context) {
        Objects.requireNonNull(body, "task must not be null");
        return start(label, ExecutorTask.running(body, context != null ? context : TaskContext.none()), scope, request);
    }

    /** Computes a value on the executor, as {@link #run}; see {@code WaitUntil.supply}. */
    public <T> CompletableFuture<T> supply(String label, Callable<T> body, Scope scope, RequestInfo request,
                                           TaskContext context) {
        Objects.requireNonNull(body, "task must not be null");
        return start(label, ExecutorTask.calling(body, context != null ? context : TaskContext.none()), scope, request);
    }

    private <T> CompletableFuture<T> start(String label, ExecutorTask<T> work, Scope scope, RequestInfo request) {
        TrackedTask task = track(label, work, scope, request);
        work.reportTo(task); // before admit: a drain may cancel the task as soon as it is in the scope
        admit(task);
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            discard(task);
            throw reject(task, e.getMessage());
        }
        return work;
    }

    private TrackedTask track(String label, Object future, Scope scope, RequestInfo request) {
        return new TrackedTask(this, ids.incrementAndGet(), label, future, scope, request);
    }

    private void admit(TrackedTask task) {
        Scope scope = task.scope();
        scope.tasks.add(task);
        // Checked after the add. A drain closes the scope, then waits once more for what is in it:
        // either it sees this task, or this thread sees the scope closed.
        if (scope.isDrained()) {
            discard(task);
            throw reject(task, scope.drainedReason() + "; no new background work is accepted");
        }
        registered.increment();
        if (debug) {
            LOG.info("wait-until: registered {} in {}", task.describe(), scope);
        }
    }

    private RejectedExecutionException reject(TrackedTask task, String reason) {
        rejected.increment();
        String message = "wait-until rejected task " + LogText.quote(task.label()) + ": " + reason;
        if (debug) {
            LOG.info(message);
        }
        return new RejectedExecutionException(message);
    }

    /** Removes a task that was never accepted. */
    private void discard(TrackedTask task) {
        if (task.finish()) {
            remove(task);
        }
    }

    // ---------------------------------------------------------------- completion

    /** A task ended: normally, exceptionally, or cancelled. Runs on the completing thread; never throws. */
    void completed(TrackedTask task, Throwable failure) {
        if (!task.finish()) {
            return;
        }
        try {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause == null) {
                completed.increment();
                if (debug) {
                    LOG.info("wait-until: task {} completed", task.describe());
                }
            } else if (cause instanceof CancellationException) {
                cancelled.increment();
                if (!task.cancellationNamed) { // the drain or the watchdog has named it already
                    LOG.warn("wait-until: task {} was cancelled", task.describe());
                } else if (debug) {
                    LOG.info("wait-until: task {} ended, cancelled", task.describe());
                }
            } else {
                failed.increment();
                LOG.error("wait-until: task " + task.describe() + " failed", cause);
            }
        } catch (Throwable logging) {
            // Logging must never break the thread that completed the application's future.
        } finally {
            remove(task);
        }
    }

    private void remove(TrackedTask task) {
        Scope scope = task.scope();
        scope.tasks.remove(task);
        if (task.isPlainFuture()) {
            scope.plainFutures.remove(task);
        }
        if (drainsWaiting.get() > 0 && scope.tasks.isEmpty()) {
            signalDrains();
        }
    }

    private void signalDrains() {
        if (drainsWaiting.get() > 0) {
            synchronized (drainSignal) {
                drainSignal.notifyAll();
            }
        }
    }

    /** Completes a plain future known to be done, reporting how it ended. */
    private void observeDone(TrackedTask task) {
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

    // ---------------------------------------------------------------- queries

    /** Pending tasks of {@code scope} itself (for the JVM scope: those of no application). */
    public int pending(Scope scope) {
        sweepPlainFutures(scope);
        return scope.pendingCount();
    }

    /** Pending tasks of every scope. */
    public int pendingEverywhere() {
        int n = pending(root);
        for (Scope s : applications) {
            n += pending(s);
        }
        return n;
    }

    /** Every pending task, oldest first, for operators. */
    public List<TrackedTask> pendingTasks() {
        List<TrackedTask> all = new ArrayList<>(root.tasks);
        for (Scope s : applications) {
            all.addAll(s.tasks);
        }
        // By registration time, which stays put: ages read during the sort would move under it.
        all.sort((a, b) -> Long.compare(a.registeredNanos(), b.registeredNanos()));
        return all;
    }

    public long registeredCount() {
        return registered.sum();
    }

    public long completedCount() {
        return completed.sum();
    }

    public long failedCount() {
        return failed.sum();
    }

    public long cancelledCount() {
        return cancelled.sum();
    }

    public long rejectedCount() {
        return rejected.sum();
    }

    void sweepPlainFutures(Scope scope) {
        for (TrackedTask task : scope.plainFutures) {
            if (((Future<?>) task.future()).isDone()) {
                observeDone(task);
            }
        }
    }

    // ---------------------------------------------------------------- drain

    /** Drains every scope at once, with one deadline: for a server that is stopping. */
    public DrainReport drainAll(Duration timeout) {
        return drain(root, timeout);
    }

    /**
     * The server, or the JVM, has begun to stop: fixes the one deadline of every drain of this stop,
     * {@code waituntil.drain.timeout} from now, unless an earlier hook of the same stop fixed it already.
     *
     * @return the deadline, in {@link System#nanoTime()} terms
     */
    public long beginShutdown() {
        long deadline = System.nanoTime() + Math.min(saturatedNanos(config.duration(Setting.DRAIN_TIMEOUT)), Long.MAX_VALUE / 4);
        if (deadline == 0) {
            deadline = 1; // 0 means "not stopping"
        }
        return shutdownDeadline.compareAndSet(0, deadline) ? deadline : shutdownDeadline.get();
    }

    public boolean isShuttingDown() {
        return shutdownDeadline.get() != 0;
    }

    /**
     * A server starts (again) in this JVM after a stop that drained it: Spring Boot devtools' restart,
     * a test suite that stops and starts an embedded server. The stop's deadline is forgotten and every
     * scope accepts tasks again; without this, every task after the restart would be rejected.
     *
     * @return whether anything had been drained
     */
    public boolean reopenAfterRestart() {
        boolean drained = shutdownDeadline.getAndSet(0) != 0;
        for (Scope s : scopesIn(root)) {
            drained |= s.state != Scope.State.OPEN;
            s.state = Scope.State.OPEN;
            s.drainEnded = false;
        }
        return drained;
    }

    /**
     * Drains every scope within the deadline of the stop under way (fixing it if this is the first hook).
     *
     * @param trigger what stops, for the log: {@code "Tomcat's engine stop"}, {@code "the JVM shutdown hook"}
     */
    public DrainReport drainForShutdown(String trigger) {
        return drain(root, beginShutdown(), trigger);
    }

    /**
     * Drains one application: on undeploy with the full timeout, during a server stop within what is
     * left of the stop's deadline. A scope already drained returns at once.
     */
    public DrainReport drainApplication(Scope scope) {
        return drainApplication(scope, "its stop");
    }

    // ---------------------------------------------------------------- for operators (JMX)

    /**
     * Drains on demand, as an undeploy does: {@code scope} (for the JVM scope, every scope) then rejects
     * new tasks. The deadline is {@code waituntil.drain.timeout} from now, or the stop's if one is under way.
     *
     * @param trigger who asked, for the log and for the reason a later registration is rejected:
     *                {@code "an operator (JMX)"}
     */
    public DrainReport drainApplication(Scope scope, String trigger) {
        long own = System.nanoTime() + Math.min(saturatedNanos(config.duration(Setting.DRAIN_TIMEOUT)), Long.MAX_VALUE / 4);
        long stop = shutdownDeadline.get();
        return drain(scope, stop != 0 && stop - own < 0 ? stop : own, trigger);
    }

    /** The application scopes known now, in the order they appeared (without the JVM scope). */
    public List<Scope> applicationScopes() {
        // The array is replaced, never written, once published: wrapping it is a snapshot.
        return Collections.unmodifiableList(Arrays.asList(applications));
    }

    /**
     * Waits until every task of {@code scope} (for the JVM scope: of every scope) has finished,
     * including tasks registered while it waits and every request still in flight has ended (it may
     * register more), or until {@code timeout} has passed. Then the scope
     * accepts no more tasks; those still pending are named in the log and, with
     * {@code waituntil.drain.cancel}, cancelled. Returns as soon as the last task finishes.
     */
    public DrainReport drain(Scope scope, Duration timeout) {
        return drain(scope, System.nanoTime() + Math.min(saturatedNanos(timeout), Long.MAX_VALUE / 4), "a direct call");
    }

    /**
     * How many tasks a drain names one by one at its deadline; the rest are counted in one line. Naming 100 000
     * stuck tasks took 1.1 s (DrainBenchmark.drain100kAtDeadline), time the container's stop spent past the deadline.
     */
    static final int NAMED_AT_DEADLINE = 100;

    private DrainReport drain(Scope scope, long deadline, String trigger) {
        long start = System.nanoTime();
        if (scope.drainEnded && !scope.isRoot()) {
            return new DrainReport(scope.toString(), 0, Collections.<String>emptyList(), 0);
        }
        if (scope.state == Scope.State.OPEN) {
            scope.drainedFor = trigger;
            scope.state = Scope.State.DRAINING;
        }
        int cancelledBefore = cancelledAtDeadline.get();
        if (debug) {
            LOG.info("wait-until: draining {} for {}: {} task(s) pending, {} request(s) in flight, {} left", scope,
                    trigger, pendingIn(scope).size(), requestsInFlight(scope),
                    Config.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - start)))));
        }
        boolean quiet = awaitEmpty(scope, deadline);
        scope.state = Scope.State.DRAINED;
        if (debug) {
            LOG.info("wait-until: {} {} after {}; it accepts no new tasks, and the drain waits for any admitted meanwhile",
                    scope, quiet ? "has no task pending and no request in flight" : "reached the drain's deadline",
                    Config.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))));
        }
        // Once more: tasks admitted just before the scope closed are waited for too.
        boolean empty = awaitEmpty(scope, deadline);

        List<String> left = new ArrayList<>();
        if (!empty) {
            boolean cancel = config.flag(Setting.DRAIN_CANCEL);
            String waited = Config.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
            int named = 0;
            int unnamed = 0;
            for (TrackedTask task : pendingIn(scope)) {
                String description = task.describe();
                left.add(description);
                if (!task.claimNaming()) {
                    continue; // another drain of this stop named it already
                }
                boolean nameIt = named < NAMED_AT_DEADLINE;
                if (nameIt) {
                    named++;
                    LOG.warn("wait-until: drain of {} timed out after {}; task {} is still pending{}", scope, waited,
                            description, cancel ? ", cancelling it" : "");
                } else {
                    unnamed++;
                }
                if (cancel) {
                    task.cancellationNamed = true;
                    cancelledAtDeadline.incrementAndGet();
                    if (!task.cancel() && nameIt) {
                        LOG.warn("wait-until: task {} cannot be cancelled from outside; the stop goes on without it",
                                description);
                    }
                }
            }
            if (unnamed > 0) {
                LOG.warn("wait-until: drain of {} timed out after {}; {} more task(s) are still pending{} (only the first "
                        + "{} are named; JMX listPendingTasks and the tasks command list them all before a stop)", scope,
                        waited, unnamed, cancel ? ", cancelling them" : "", NAMED_AT_DEADLINE);
            }
            int requests = requestsInFlight(scope);
            if (requests > 0) {
                LOG.warn("wait-until: drain of {} timed out after {} with {} request(s) still in flight; the stop goes on",
                        scope, waited, requests);
            }
        }
        scope.drainEnded = true;
        // Another drain of the same stop may have cancelled tasks at the deadline while this one waited.
        DrainReport report = new DrainReport(scope + " for " + trigger, System.nanoTime() - start,
                Collections.unmodifiableList(left), cancelledAtDeadline.get() - cancelledBefore);
        if (debug || report.timedOut()) {
            LOG.info("wait-until: {}", report);
        }
        return report;
    }

    private int requestsInFlight(Scope scope) {
        int n = 0;
        for (Scope s : scopesIn(scope)) {
            n += Math.max(0, s.inFlight.get());
        }
        return n;
    }

    private List<TrackedTask> pendingIn(Scope scope) {
        if (!scope.isRoot()) {
            return new ArrayList<>(scope.tasks);
        }
        return pendingTasks();
    }

    /** {@code scope} alone, or for the JVM scope: it and every application scope. */
    List<Scope> scopesIn(Scope scope) {
        if (!scope.isRoot()) {
            return Collections.singletonList(scope);
        }
        Scope[] apps = applications;
        List<Scope> all = new ArrayList<>(apps.length + 1);
        all.add(root);
        Collections.addAll(all, apps);
        return all;
    }

    /** @return true when nothing is pending in {@code scope}, false when the deadline came first */
    private boolean awaitEmpty(Scope scope, long deadline) {
        drainsWaiting.incrementAndGet();
        try {
            while (true) {
                // Plain futures have no callback: wait on each in turn, which returns as it completes.
                for (Scope s : scopesIn(scope)) {
                    for (TrackedTask task : s.plainFutures) {
                        if (!awaitPlainFuture(task, deadline)) {
                            return false;
                        }
                    }
                }
                synchronized (drainSignal) {
                    while (true) {
                        List<Scope> scopes = scopesIn(scope);
                        if (allEmpty(scopes)) {
                            return true;
                        }
                        if (anyPlainFutures(scopes)) {
                            break; // registered meanwhile: go and wait on it
                        }
                        long remaining = deadline - System.nanoTime();
                        if (remaining <= 0) {
                            return false;
                        }
                        TimeUnit.NANOSECONDS.timedWait(drainSignal, remaining);
                    }
                }
            }
        } catch (InterruptedException e) {
            // Whoever stops the container wants it to go on now: keep the flag, stop waiting.
            Thread.currentThread().interrupt();
            return false;
        } finally {
            drainsWaiting.decrementAndGet();
        }
    }

    private boolean awaitPlainFuture(TrackedTask task, long deadline) throws InterruptedException {
        Future<?> future = (Future<?>) task.future();
        try {
            future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException | CancellationException e) {
            // observed below
        }
        observeDone(task);
        return true;
    }

    /** No task pending and no request in flight that could still register one. */
    private static boolean allEmpty(List<Scope> scopes) {
        for (Scope s : scopes) {
            if (!s.tasks.isEmpty() || s.inFlight.get() > 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyPlainFutures(List<Scope> scopes) {
        for (Scope s : scopes) {
            if (!s.plainFutures.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Stops the executor's threads and the watchdog once nothing can be submitted any more (after the final drain). */
    public void shutdownExecutor() {
        executor.shutdown();
        if (watchdog != null) {
            watchdog.stop();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
