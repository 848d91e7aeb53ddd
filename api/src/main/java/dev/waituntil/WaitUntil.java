package dev.waituntil;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code waitUntil} for servlet applications: hand background work to the runtime so that the
 * response can go out at once while shutdown and undeploy still wait for the work.
 *
 * <pre>{@code
 * protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
 *     WaitUntil.run("send receipt " + orderId, () -> mailer.sendReceipt(orderId));
 *     resp.setStatus(202);                      // answered now; the mail is sent after
 * }
 * }</pre>
 *
 * <h2>Scope</h2>
 * A task registered while a request is being served (in {@code Servlet.service}, in a
 * {@code Filter}, or in a {@code Runnable} given to {@code AsyncContext.start}) belongs to that
 * request and its web application. A task registered outside a request belongs to the web
 * application of the thread's context class loader, or to the JVM when there is none.
 *
 * <h2>Drain</h2>
 * When the container stops, or the application is undeployed or redeployed, the runtime waits
 * until every pending task has finished, at most {@code waituntil.drain.timeout} (30 s by
 * default), before connectors close and before the application is torn down. Tasks still pending
 * at the deadline are named in the log and cancelled. Afterwards {@code register}, {@code run}
 * and {@code supply} throw {@link RejectedTaskException}.
 *
 * <h2>Failures</h2>
 * A task that fails or is cancelled is logged with its label (and the request it came from) and
 * affects neither the response nor any other task.
 *
 * <h2>Without the agent</h2>
 * Every method works without {@code -javaagent:wait-until-agent.jar}: tasks are tracked
 * in-process and a JVM shutdown hook drains them with the same timeout; one warning says that
 * the agent is not attached. In a web application whose container runs the API jar's
 * {@code ServletContainerInitializer}, they are drained earlier, at the application's own
 * {@code contextDestroyed}. If the agent is attached later ({@code java -jar
 * wait-until-agent.jar <pid>}), new tasks go to the agent from then on.
 *
 * <p>All methods are thread-safe. Every web application may bundle its own copy of this class,
 * of any version: all copies reach the one runtime of the agent.
 */
public final class WaitUntil {

    /** Chosen on first use; replaced once if the agent is attached to a running JVM later. */
    private static volatile Backend backend;

    private WaitUntil() {}

    /**
     * Tracks an already-started task, like JavaScript's {@code waitUntil(promise)}.
     *
     * @param <T> the type of the task's result
     * @param task the task; its completion is observed by callback, never by polling
     * @return {@code task} itself, for chaining
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has already been drained
     */
    public static <T> CompletableFuture<T> register(CompletableFuture<T> task) {
        return register(null, task);
    }

    /**
     * Tracks an already-started task under a label that every log line about it will name.
     *
     * @param <T> the type of the task's result
     * @param label what the task is, for logs and JMX; {@code null} for a generated label
     * @param task the task; its completion is observed by callback, never by polling
     * @return {@code task} itself, for chaining
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has already been drained
     */
    public static <T> CompletableFuture<T> register(String label, CompletableFuture<T> task) {
        track(label, task);
        return task;
    }

    /**
     * Tracks an already-started {@link CompletionStage}.
     *
     * @param <T> the type of the task's result
     * @param task the task; its completion is observed by callback, never by polling
     * @return {@code task} itself
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has already been drained
     */
    public static <T> CompletionStage<T> register(CompletionStage<T> task) {
        return register(null, task);
    }

    /**
     * Tracks an already-started {@link CompletionStage} under a label.
     *
     * @param <T> the type of the task's result
     * @param label what the task is; {@code null} for a generated label
     * @param task the task; its completion is observed by callback, never by polling
     * @return {@code task} itself
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has already been drained
     */
    public static <T> CompletionStage<T> register(String label, CompletionStage<T> task) {
        track(label, task);
        return task;
    }

    /**
     * Tracks a plain {@link Future}, as returned by {@code ExecutorService.submit}. A plain future
     * offers no completion callback: it is counted as pending until it is seen done, and a drain
     * waits on it with {@code Future.get}. A failure is logged when the drain or {@link #pending()}
     * finds it. Prefer {@link CompletableFuture} where you can.
     *
     * @param <T> the type of the task's result
     * @param task the task, usually already submitted to an executor
     * @return {@code task} itself
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has already been drained
     */
    public static <T> Future<T> register(Future<T> task) {
        return register(null, task);
    }

    /**
     * Tracks a plain {@link Future} under a label; see {@link #register(Future)}.
     *
     * @param <T> the type of the task's result
     * @param label what the task is; {@code null} for a generated label
     * @param task the task, usually already submitted to an executor
     * @return {@code task} itself
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has already been drained
     */
    public static <T> Future<T> register(String label, Future<T> task) {
        track(label, task);
        return task;
    }

    /**
     * Runs {@code task} on the runtime's executor and tracks it. While it runs, the thread's context
     * class loader is the caller's. Cancelling the returned future, or a drain that times out,
     * interrupts the task.
     *
     * @param label what the task is; {@code null} for a generated label
     * @param task the work to run
     * @return a future completed when the task ends, exceptionally if it throws
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has been drained or the executor's queue is full;
     *         the task has then not been started
     */
    public static CompletableFuture<Void> run(String label, Runnable task) {
        Objects.requireNonNull(task, "task must not be null");
        try {
            return backend().run(label, task);
        } catch (RejectedExecutionException e) {
            throw rejected(e);
        }
    }

    /**
     * Computes a value on the runtime's executor and tracks the work; as {@link #run}, with a result.
     *
     * @param <T> the type of the value
     * @param label what the task is; {@code null} for a generated label
     * @param task the work that computes the value
     * @return a future completed with the value, or exceptionally with what {@code task} threw
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedTaskException if the scope has been drained or the executor's queue is full;
     *         the task has then not been started
     */
    public static <T> CompletableFuture<T> supply(String label, Callable<T> task) {
        Objects.requireNonNull(task, "task must not be null");
        try {
            return backend().supply(label, task);
        } catch (RejectedExecutionException e) {
            throw rejected(e);
        }
    }

    /**
     * How many tasks of the calling web application (or, outside any, of the JVM) are still pending.
     *
     * @return the number of tasks registered and not yet finished
     */
    public static int pending() {
        return backend().pending();
    }

    /**
     * Whether {@code wait-until-agent.jar} is attached to this JVM.
     *
     * @return {@code true} when tasks go to the agent's runtime, {@code false} when they are tracked in-process
     */
    public static boolean isAgentActive() {
        return backend().isAgent();
    }

    private static void track(String label, Object task) {
        Objects.requireNonNull(task, "task must not be null");
        try {
            backend().register(label, task);
        } catch (RejectedExecutionException e) {
            throw rejected(e);
        }
    }

    private static RejectedTaskException rejected(RejectedExecutionException e) {
        return new RejectedTaskException(e.getMessage());
    }

    static Backend backend() {
        Backend b = backend;
        return b != null ? b : choose();
    }

    private static synchronized Backend choose() {
        if (backend == null) {
            Backend agent = AgentBackend.find(null);
            backend = agent != null ? agent : new StandaloneBackend(true);
        }
        return backend;
    }

    /**
     * Called reflectively by the agent on every loaded copy of this class when it is attached to a
     * running JVM: from then on tasks go to the agent, while those already tracked here are still
     * counted and drained by the standalone shutdown hook.
     */
    @SuppressWarnings("unused")
    private static synchronized void agentAttached() {
        if (backend != null && backend.isAgent()) {
            return;
        }
        Backend agent = AgentBackend.find(backend);
        if (agent != null) {
            backend = agent;
        }
    }

    /**
     * Called reflectively by the listener of {@code dev.waituntil.servlet} at its web application's
     * {@code contextDestroyed}, which the API's {@code ServletContainerInitializer} registers: without the
     * agent, this copy's tasks are drained there, while the application's classes still load, rather than
     * by a JVM shutdown hook that may run long after the container stopped the application. Nothing
     * happens when the agent is attached (it drained the application before its teardown began) or when
     * this copy never tracked a task.
     */
    @SuppressWarnings("unused")
    private static void applicationStopping(String application) {
        Backend b;
        synchronized (WaitUntil.class) {
            b = backend;
        }
        if (b instanceof StandaloneBackend) {
            ((StandaloneBackend) b).drainAtTeardown(application);
        }
    }

    /** For tests in this package: start over as if freshly loaded. */
    static synchronized void use(Backend replacement) {
        backend = replacement;
    }
}
