package dev.waituntil.benchmarks;

import dev.waituntil.WaitUntil;
import dev.waituntil.benchmarks.servlet.BodyServlet;
import dev.waituntil.benchmarks.servlet.MinimalRequest;
import dev.waituntil.benchmarks.servlet.MinimalResponse;
import dev.waituntil.benchmarks.servlet.RequestScopeProbe;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Zero-code capture: work handed to a JDK {@code ThreadPoolExecutor} ({@code execute}, {@code submit}) and to
 * {@code CompletableFuture.runAsync} on it, outside any request, where the agent only looks and hands the task on,
 * and inside a request, where it captures the task: a wrapper, a record among the application's pending tasks, the
 * record's end once the task has run. {@link BenchmarkMain} runs this class with the agent and without.
 *
 * <ul>
 *   <li>{@code *Outside}: the hand-over on a thread serving no request. Budget for {@code execute} and
 *       {@code submit}: at most 5 ns and 0 bytes added, agent against none.</li>
 *   <li>{@code *InRequest}: the same hand-over inside a request, so captured with the agent. Budget: at most 150 ns
 *       and 150 bytes added, against {@code *Outside} in the same fork and against itself without the agent.</li>
 *   <li>{@link #executeInTask}: the same {@code execute} from a captured task running outside any request (work
 *       that work handed over hands on), captured through the task's record instead of the request; against
 *       {@code executeOutside}, as {@code executeInRequest} is.</li>
 *   <li>{@link #requestWithOneExecute} against {@link #requestOnly}: a whole request that hands over one task,
 *       against the same request handing over nothing; it adds to the capture what a request pays once, for its
 *       first captured task (the agent describes the request: method, URI).</li>
 * </ul>
 *
 * <p>The executor is a real {@code ThreadPoolExecutor}, the JDK's own class and so the agent's own hook point, but
 * shut down, with a rejection handler that runs the task on the calling thread. Its {@code execute} reads its state,
 * finds it shut down, and calls the handler: a few field reads and calls, no queue, no lock, no other thread, no
 * allocation. A captured task therefore lives its whole life inside the measured call, on the measured thread:
 * wrapped, recorded, run, ended, so nothing accumulates between operations and the figure holds the agent's whole
 * cost per task. A pool with worker threads would add a queue hand-off and the wake-up of a worker on the other
 * core: hundreds of nanoseconds that depend on where the scheduler puts the two threads, which on two cores would
 * bury a 5 ns budget in noise. What this leaves out is what crossing threads adds to the agent's own work (its
 * record ended on another core than the one that made it); {@link RunBenchmark} shows what a real pool costs. The
 * handler returns normally, so the hook point's exit takes its usual path, not the one for a refused task.
 *
 * <p>In a request, an invocation is one request ({@code service()} of a servlet whose {@code GET} hands over
 * {@value #BATCH} tasks): the request's own cost (item 1 of BENCHMARKS.md) and its description are spread over
 * {@value #BATCH} hand-overs, so the figure per operation is the capture's own. Outside, the same loop runs without
 * the request. The thread's context class loader is a web application's, as a container sets it.
 */
@Agent(Agent.Forks.WITH_AND_WITHOUT)
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class CaptureBenchmark {

    static final int BATCH = 100;

    /** How long the agent may take to instrument the JDK's executors, which it does after its start. */
    private static final long INSTRUMENTED_WITHIN_MS = 60_000;

    private static final String WRAPPER_PREFIX = "dev.waituntil.bootstrap.Captured";

    /**
     * The handler gives the task to the blackhole before running it, as a real pool's queue would keep it: else the
     * JIT, seeing the task go no further than this call, could do away with its allocation ({@code runAsync}'s own
     * task) in forks without the agent, a saving no real executor allows, and charge the agent for it.
     */
    private final ThreadPoolExecutor executor = runningHere((task, pool) -> {
        this.blackhole.consume(task); // set by checkCapture, before any hand-over to this executor
        task.run();
    });

    private final Tick tick = new Tick();
    private final MinimalRequest get = new MinimalRequest("GET", "/shop", "/shop/order");
    private final MinimalResponse response = new MinimalResponse();
    private final BodyServlet executes = new BodyServlet(this::executeBatch);
    private final BodyServlet submits = new BodyServlet(this::submitBatch);
    private final BodyServlet runsAsync = new BodyServlet(this::runAsyncBatch);
    private final BodyServlet handsOverOne = new BodyServlet(() -> executor.execute(tick));
    private final BodyServlet handsOverNothing = new BodyServlet(() -> {});
    /** What {@link #holding} was last handed: a task a request handed over, to run later outside the request. */
    private Runnable held;

    private final ThreadPoolExecutor holding = runningHere((task, pool) -> held = task);
    private final Runnable executeBatchTask = this::executeBatch;
    private final BodyServlet handsOverABatchTask = new BodyServlet(() -> holding.execute(executeBatchTask));
    private final ClassLoader application = new URLClassLoader(new URL[0], CaptureBenchmark.class.getClassLoader()) {
        @Override
        public String toString() {
            return "benchmark web application";
        }
    };
    private boolean agent;
    private Blackhole blackhole;
    private ClassLoader before;

    /** The task: as little as a task can do, on a field only this thread touches. */
    static final class Tick implements Runnable {
        int count;

        @Override
        public void run() {
            count++;
        }
    }

    /**
     * A shut-down pool whose rejection handler is {@code handler}: every {@code execute} ends in the handler, on the
     * calling thread. ({@code CallerRunsPolicy} would drop the task: it runs nothing once the pool is shut down.)
     */
    private static ThreadPoolExecutor runningHere(RejectedExecutionHandler handler) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(0, 1, 0, TimeUnit.MILLISECONDS, new SynchronousQueue<>(), handler);
        pool.shutdown();
        return pool;
    }

    /**
     * Fails unless the fork measures what it says: with the agent, a hand-over in a request reaches the executor
     * wrapped (captured) and one outside reaches it as it is; without the agent, nothing is ever wrapped. The agent
     * instruments the JDK's executors a moment after its start, so this waits for the first capture.
     */
    @Setup(Level.Trial)
    public void checkCapture(Blackhole blackhole) throws Exception {
        this.blackhole = blackhole;
        agent = RequestScopeProbe.checkAgent();
        Runnable[] seen = new Runnable[1];
        ThreadPoolExecutor probe = runningHere((task, pool) -> {
            seen[0] = task;
            task.run();
        });
        ClassLoader outer = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(application);
        try {
            BodyServlet probing = new BodyServlet(() -> probe.execute(tick));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INSTRUMENTED_WITHIN_MS);
            do {
                probing.service(get, response);
            } while (agent && !wrapped(seen[0]) && System.nanoTime() < deadline && sleep());
            expect("execute in a request", seen[0], agent);

            new BodyServlet(() -> probe.submit(tick)).service(get, response);
            expect("submit in a request", seen[0], agent);
            new BodyServlet(() -> CompletableFuture.runAsync(tick, probe)).service(get, response);
            expect("CompletableFuture.runAsync in a request", seen[0], agent);

            new BodyServlet(() -> holding.execute(() -> probe.execute(tick))).service(get, response);
            expect("a task handed over in a request", held, agent);
            runHeld();
            expect("execute in a captured task outside a request", seen[0], agent);

            probe.execute(tick);
            expect("execute outside a request", seen[0], false);
            probe.submit(tick);
            expect("submit outside a request", seen[0], false);
            CompletableFuture.runAsync(tick, probe);
            expect("CompletableFuture.runAsync outside a request", seen[0], false);
        } finally {
            Thread.currentThread().setContextClassLoader(outer);
        }
    }

    private static boolean wrapped(Runnable task) {
        return task != null && task.getClass().getName().startsWith(WRAPPER_PREFIX);
    }

    private static void expect(String what, Runnable seen, boolean captured) {
        if (wrapped(seen) != captured) {
            throw new IllegalStateException(
                    what + " should " + (captured ? "" : "not ") + "be captured, but the executor received a "
                            + (seen == null ? "null" : seen.getClass().getName()));
        }
    }

    private static boolean sleep() {
        try {
            Thread.sleep(50);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Setup(Level.Iteration)
    public void enterApplication() {
        before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(application);
    }

    /** Every captured task ran inside its operation: none may be left pending. */
    @TearDown(Level.Iteration)
    public void leaveApplication() {
        try {
            int pending = agent ? WaitUntil.pending() : 0;
            if (pending != 0) {
                throw new IllegalStateException(pending + " captured task(s) still pending after the iteration");
            }
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    private void executeBatch() {
        for (int i = 0; i < BATCH; i++) {
            executor.execute(tick);
        }
    }

    private void submitBatch() {
        for (int i = 0; i < BATCH; i++) {
            blackhole.consume(executor.submit(tick));
        }
    }

    private void runAsyncBatch() {
        for (int i = 0; i < BATCH; i++) {
            blackhole.consume(CompletableFuture.runAsync(tick, executor));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void executeOutside() {
        executeBatch();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ComparedTo("executeOutside")
    public void executeInRequest() throws Exception {
        executes.service(get, response);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void submitOutside() {
        submitBatch();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ComparedTo("submitOutside")
    public void submitInRequest() throws Exception {
        submits.service(get, response);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void runAsyncOutside() {
        runAsyncBatch();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ComparedTo("runAsyncOutside")
    public void runAsyncInRequest() throws Exception {
        runsAsync.service(get, response);
    }

    /**
     * A request hands over a task, captured with the agent, that the executor keeps; once the request is over, that
     * task runs here and hands over {@value #BATCH} tasks, each captured through the outer task's record. Each
     * operation also carries a hundredth of the request and of the outer task's own capture: a hundredth of what
     * {@code requestWithOneExecute} adds to {@code requestOnly}.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ComparedTo("executeOutside")
    public void executeInTask() throws Exception {
        handsOverABatchTask.service(get, response);
        runHeld();
    }

    private void runHeld() {
        Runnable task = held;
        held = null;
        task.run();
    }

    /** A request that hands over nothing: the baseline of {@link #requestWithOneExecute}. */
    @Benchmark
    public int requestOnly() throws Exception {
        handsOverNothing.service(get, response);
        return tick.count;
    }

    @Benchmark
    @ComparedTo("requestOnly")
    public int requestWithOneExecute() throws Exception {
        handsOverOne.service(get, response);
        return tick.count;
    }
}
