package dev.waituntil.agent.runtime;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.log.AgentLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The one task runtime of the JVM, as the hooks, the bridge and JMX see it: tracks registered tasks per
 * scope, runs {@code run}/{@code supply} work, and drains a scope when its application or the whole
 * server stops. It wires the parts that do each of these ({@link ScopeRegistry}, {@link TaskAdmission},
 * {@link TaskCompletion}, {@link Drainer}, {@link ShutdownState}); it keeps no task state itself.
 *
 * <p>Knows nothing of servlets, containers or bytecode: the hooks that do tell it which
 * application (class loader) and which request a registration belongs to, and when to drain.
 *
 * <p>Completion of a {@code CompletionStage} is observed by callback. A plain {@code Future} has
 * no callback: it is pending until seen done by {@link #pending} or waited on by a drain.
 */
public final class TaskRuntime {

    private static final Logger LOG = AgentLog.get(TaskRuntime.class);

    /**
     * The settings that can change once the runtime runs: an application may give them at its start (the Spring Boot
     * starter, from the Spring environment). The others were used once: the instrumentation, the queue, debug logging.
     */
    public static final Set<Setting> CHANGEABLE_SETTINGS = Collections.unmodifiableSet(EnumSet.of(
            Setting.DRAIN_TIMEOUT,
            Setting.DRAIN_CANCEL,
            Setting.TASK_TIMEOUT,
            Setting.TASK_WARN_AFTER,
            Setting.TASK_ERROR_AFTER,
            Setting.EXECUTOR_THREADS));

    private volatile Config config;
    private final boolean debug;
    private final ScopeRegistry scopes = new ScopeRegistry();
    private final TaskCounters counters = new TaskCounters();
    private final CapturedFutures capturedFutures = new CapturedFutures();
    private final TaskEvents events = new TaskEvents();
    private final DrainSignal drainSignal = new DrainSignal();
    private final ShutdownState shutdown = new ShutdownState();
    private final TaskCompletion completion;
    private final TaskAdmission admission;
    private final Drainer drainer;
    private final TaskExecutor executor;
    /** Null when every task threshold is off; replaced when an application changes the thresholds. */
    private Watchdog watchdog;

    public TaskRuntime(Config config) {
        this.config = config;
        this.debug = config.flag(Setting.DEBUG);
        this.executor =
                new TaskExecutor(config.number(Setting.EXECUTOR_THREADS), config.number(Setting.EXECUTOR_QUEUE));
        this.completion = new TaskCompletion(counters, drainSignal, debug, capturedFutures, events);
        this.admission = new TaskAdmission(executor, completion, counters, drainSignal, debug);
        this.drainer = new Drainer(scopes, completion, drainSignal, config.flag(Setting.DRAIN_CANCEL), debug);
        this.watchdog = Watchdog.start(this, config);
        if (debug && watchdog != null) {
            LOG.info("wait-until: task watchdog started: {}", watchdog);
        }
    }

    public Config config() {
        return config;
    }

    /**
     * Lays the settings an application gives at its start over the agent's (see
     * {@link Config#withApplicationSettings}); the next drain, the watchdog and the executor follow them.
     *
     * @param problems receives one line per setting that was not taken, and why
     * @return the settings in force, as the start-up line writes them
     */
    public synchronized String applySettings(Map<String, String> given, Consumer<String> problems) {
        Config before = config;
        Config after = before.withApplicationSettings(given, CHANGEABLE_SETTINGS, problems);
        config = after;
        drainer.cancelAtDeadline(after.flag(Setting.DRAIN_CANCEL));
        executor.resize(after.number(Setting.EXECUTOR_THREADS));
        if (!after.duration(Setting.TASK_WARN_AFTER).equals(before.duration(Setting.TASK_WARN_AFTER))
                || !after.duration(Setting.TASK_ERROR_AFTER).equals(before.duration(Setting.TASK_ERROR_AFTER))
                || !after.duration(Setting.TASK_TIMEOUT).equals(before.duration(Setting.TASK_TIMEOUT))) {
            restartWatchdog();
        }
        return after.describe();
    }

    public boolean isDebug() {
        return debug;
    }

    // ---------------------------------------------------------------- scopes

    /** The JVM-wide scope: tasks of no application, and the parent of all. */
    public Scope jvm() {
        return scopes.jvm();
    }

    /**
     * The scope of the application whose class loader is {@code loader}; the JVM scope for null or
     * for the system class loader and its ancestors (a plain {@code main} program has no application).
     */
    public Scope scopeOf(ClassLoader loader) {
        return scopes.scopeOf(loader);
    }

    /** The scope of {@code loader} if it has one already; null if the application never used wait-until. */
    public Scope existingScopeOf(ClassLoader loader) {
        return scopes.existingScopeOf(loader);
    }

    /** The application scopes known now, in the order they appeared (without the JVM scope). */
    public List<Scope> applicationScopes() {
        return scopes.applicationScopes();
    }

    // ---------------------------------------------------------------- requests in flight

    /** A request entered its application: counted until {@link #requestEnded}. Allocates nothing. */
    public Scope requestStarted(ClassLoader application) {
        Scope scope = scopes.scopeOf(application);
        scope.inFlight.incrementAndGet();
        return scope;
    }

    /** A request ended (an async one: when it completed); a drain may have been waiting for it. */
    public void requestEnded(Scope scope) {
        if (scope.inFlight.decrementAndGet() <= 0 && drainSignal.anyWaiting()) {
            drainSignal.signal();
        }
    }

    // ---------------------------------------------------------------- registration

    /**
     * Tracks an already-started task. A future that captured work completes ({@code CompletableFuture.runAsync} in
     * a request) is that work: it counts once, and this task, with this label, takes the captured record's place.
     *
     * @param label the user's label, or null for a generated one
     * @param future a {@code CompletionStage} or a {@code Future}
     * @param scope the scope it belongs to
     * @param request the request that registered it, or null
     * @throws RejectedExecutionException if the scope has been drained; the message names the label and why
     */
    public TrackedTask register(String label, Object future, Scope scope, RequestInfo request) {
        return admission.register(label, future, scope, request);
    }

    /**
     * Runs {@code body} on the executor, tracked in {@code scope}, with {@code context} (captured on the
     * caller's thread; null: none) while it runs; see {@code WaitUntil.run}.
     */
    public CompletableFuture<Void> run(
            String label, Runnable body, Scope scope, RequestInfo request, TaskContext context) {
        return admission.run(label, body, scope, request, context);
    }

    /** Computes a value on the executor, as {@link #run}; see {@code WaitUntil.supply}. */
    public <T> CompletableFuture<T> supply(
            String label, Callable<T> body, Scope scope, RequestInfo request, TaskContext context) {
        return admission.supply(label, body, scope, request, context);
    }

    /**
     * Tracks work that code in a request or a tracked task handed to an executor, from now until {@link #captureEnded}
     * or {@link #captureRejected}. Unlike a registration, a drained scope refuses nothing: the application's own call
     * goes on, untracked.
     *
     * @param via how it was handed over, the start of its label ({@code ThreadPoolExecutor.execute})
     * @param work the application's task
     * @return the task's record, or null when {@code scope} has been drained
     */
    public TrackedTask capture(String via, Object work, Scope scope, RequestInfo request) {
        return admission.capture(via, work, scope, request);
    }

    /**
     * A captured task's run has ended, by {@code failure} if not null; a {@code Future} task (what {@code submit}
     * hands over) reports its own outcome, which its run keeps.
     */
    public void captureEnded(TrackedTask task, Throwable failure) {
        Object work = task.future();
        if (failure == null && work instanceof Future && ((Future<?>) work).isDone()) {
            if (((Future<?>) work).isCancelled()) {
                // The application's own cancel (invokeAny cancels every task but the first to finish): no warning.
                task.cancellationNamed(true);
            }
            completion.observeDone(task);
        }
        completion.completed(task, failure); // a no-op when observeDone has ended it
    }

    /**
     * The captured {@code task}'s run completes {@code future} ({@code CompletableFuture.runAsync}'s): registering
     * that future adopts the work, which then counts once, under the registration's label.
     */
    public void captureCompletes(TrackedTask task, Object future) {
        capturedFutures.link(task, future);
    }

    /** {@code future}, made by the executor after the hand-over, cancels the captured {@code task}'s work. */
    public void captureCancelledThrough(TrackedTask task, Future<?> future) {
        task.cancelledThrough(future);
    }

    /**
     * The application took a captured task back unrun ({@code shutdownNow()}, {@code remove}, a cancel and
     * {@code purge}): it will never run through the agent, and ends cancelled, by the application's own choice, so
     * with no warning.
     *
     * @param why how it was taken back: the cancellation's message
     */
    public void captureNotRun(TrackedTask task, String why) {
        task.cancellationNamed(true);
        completion.completed(task, new CancellationException(why));
    }

    /** The executor refused a captured task: it never ran, and is forgotten, counted as rejected. */
    public void captureRejected(TrackedTask task) {
        completion.discard(task);
        counters.rejected(task.scope());
        events.ended(task, TaskCompletion.REJECTED, null, true);
    }

    // ---------------------------------------------------------------- queries

    /** Pending tasks of {@code scope} itself (for the JVM scope: those of no application). */
    public int pending(Scope scope) {
        completion.sweepPlainFutures(scope);
        return scope.pendingCount();
    }

    /** Pending tasks of every scope. */
    public int pendingEverywhere() {
        int n = 0;
        for (Scope s : scopes.scopesIn(scopes.jvm())) {
            n += pending(s);
        }
        return n;
    }

    /** The pending tasks of {@code scope} itself (for the JVM scope: those of no application), oldest first. */
    public List<TrackedTask> pendingTasksOf(Scope scope) {
        completion.sweepPlainFutures(scope);
        List<TrackedTask> tasks = new ArrayList<>(scope.tasks);
        tasks.sort((a, b) -> Long.compare(a.registeredNanos(), b.registeredNanos()));
        return tasks;
    }

    /** Every pending task, oldest first, for operators. */
    public List<TrackedTask> pendingTasks() {
        return scopes.pendingTasks();
    }

    /** The listeners of task and drain events. */
    public TaskEvents events() {
        return events;
    }

    public long registeredCount() {
        return counters.registeredCount();
    }

    public long completedCount() {
        return counters.completedCount();
    }

    public long failedCount() {
        return counters.failedCount();
    }

    public long cancelledCount() {
        return counters.cancelledCount();
    }

    public long rejectedCount() {
        return counters.rejectedCount();
    }

    /** For the watchdog, which looks at every scope's tasks. */
    List<Scope> scopesIn(Scope scope) {
        return scopes.scopesIn(scope);
    }

    void sweepPlainFutures(Scope scope) {
        completion.sweepPlainFutures(scope);
    }

    // ---------------------------------------------------------------- drain

    /**
     * The server, or the JVM, has begun to stop: fixes the one deadline of every drain of this stop,
     * {@code waituntil.drain.timeout} from now, unless an earlier hook of the same stop fixed it already.
     *
     * @return the deadline, in {@link System#nanoTime()} terms
     */
    public long beginShutdown() {
        return shutdown.begin(drainTimeout()).nanoTime();
    }

    public boolean isShuttingDown() {
        return shutdown.isStopping();
    }

    /**
     * A server starts (again) in this JVM after a stop that drained it: Spring Boot devtools' restart,
     * a test suite that stops and starts an embedded server. The stop's deadline is forgotten and every
     * scope accepts tasks again; without this, every task after the restart would be rejected.
     *
     * @return whether anything had been drained
     */
    public boolean reopenAfterRestart() {
        boolean stopped = shutdown.forget();
        return drainer.reopen() | stopped;
    }

    /**
     * Drains every scope within the deadline of the stop under way (fixing it if this is the first hook).
     *
     * @param trigger what stops, for the log: {@code "Tomcat's engine stop"}, {@code "the JVM shutdown hook"}
     */
    public DrainReport drainForShutdown(String trigger) {
        return drainer.drain(scopes.jvm(), shutdown.begin(drainTimeout()), trigger);
    }

    /**
     * Drains one application: on undeploy with the full timeout, during a server stop within what is
     * left of the stop's deadline. A scope already drained returns at once.
     */
    public DrainReport drainApplication(Scope scope) {
        return drainApplication(scope, "its stop");
    }

    /**
     * Drains on demand, as an undeploy does: {@code scope} (for the JVM scope, every scope) then rejects
     * new tasks. The deadline is {@code waituntil.drain.timeout} from now, or the stop's if one is under way.
     *
     * @param trigger who asked, for the log and for the reason a later registration is rejected:
     *                {@code "an operator (JMX)"}
     */
    public DrainReport drainApplication(Scope scope, String trigger) {
        return drainer.drain(scope, shutdown.deadlineFor(drainTimeout()), trigger);
    }

    /** Drains {@code scope} within {@code timeout}, whatever the settings say: for tests of the drain itself. */
    DrainReport drain(Scope scope, Duration timeout) {
        return drainer.drain(scope, Deadline.in(timeout), "a direct call");
    }

    private Duration drainTimeout() {
        return config.duration(Setting.DRAIN_TIMEOUT);
    }

    /** Stops the executor's threads and the watchdog once nothing can be submitted any more (after the final drain). */
    private synchronized void restartWatchdog() {
        if (executor.isShutdown()) {
            return;
        }
        if (watchdog != null) {
            watchdog.stop();
        }
        watchdog = Watchdog.start(this, config);
        if (debug && watchdog != null) {
            LOG.info("wait-until: task watchdog restarted with the application's settings: {}", watchdog);
        }
    }

    public synchronized void shutdownExecutor() {
        executor.shutdown();
        if (watchdog != null) {
            watchdog.stop();
        }
    }
}
