package dev.waituntil.benchmarks;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.runtime.DrainReport;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The drain, on a {@link TaskRuntime} of its own (the agent jar provides the class; the agent's
 * own runtime is not involved). Every drain here is a server stop's: the JVM scope's, which waits for every scope.
 *
 * <ul>
 *   <li>{@link #lastCompletionToDrainReturn}: one task pending and a drain waiting for it on another thread. The
 *       operation is {@code task.complete(null)} until the drain has returned (the benchmark thread spins on a
 *       flag the drain thread sets). Sampled: percentiles. Budget: under 1 ms.</li>
 *   <li>{@link #drain100k}: 100 000 tasks pending and a drain waiting; the operation completes them all, in the
 *       order they were registered, and ends when the drain has returned. Against {@link #complete100k}, the same
 *       100 000 completions with no drain waiting.</li>
 *   <li>{@link #drain100kAtDeadline}: 100 000 tasks that never finish, drained with a 1 ms timeout: the drain
 *       names every task in a warning and cancels it. The log lines are formatted and thrown away.</li>
 * </ul>
 *
 * Registering the tasks and starting the drain are outside the measured time ({@code Level.Invocation} setup).
 */
@Agent(Agent.Forks.WITH)
@State(Scope.Thread)
@Fork(3)
public class DrainBenchmark {

    static final int BACKLOG = 100_000;

    private TaskRuntime runtime;
    private Drainer drainer;

    @Setup(Level.Trial)
    public void start(org.openjdk.jmh.infra.BenchmarkParams params) {
        Map<String, String> properties = new HashMap<>();
        // No watchdog thread: it plays no part in a drain.
        properties.put("waituntil.task.warnAfter", "0");
        properties.put("waituntil.task.errorAfter", "0");
        // Each drain here takes the drain timeout of the settings, as a server's does.
        properties.put("waituntil.drain.timeout", params.getBenchmark().endsWith("AtDeadline") ? "1ms" : "60s");
        runtime = new TaskRuntime(Config.load(null, properties, new HashMap<>(), problem -> {
            throw new IllegalStateException(problem);
        }));
        drainer = new Drainer(runtime);
        drainer.start();
    }

    @TearDown(Level.Trial)
    public void stop() {
        drainer.interrupt();
        runtime.shutdownExecutor();
    }

    /** The thread that drains: idle in {@code take()}, then one drain per scope handed over. */
    static final class Drainer extends Thread {
        private final TaskRuntime runtime;
        private final SynchronousQueue<String> work = new SynchronousQueue<>();
        volatile boolean entered;
        volatile boolean returned;
        volatile DrainReport report;

        Drainer(TaskRuntime runtime) {
            super("benchmark-drain");
            setDaemon(true);
            this.runtime = runtime;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    String trigger = work.take();
                    entered = true;
                    report = runtime.drainApplication(runtime.jvm(), trigger);
                    returned = true;
                }
            } catch (InterruptedException e) {
                // the trial is over
            }
        }

        /** Starts a drain and returns once it waits (in {@code Object.wait} with a timeout) for the tasks. */
        void startDrain() throws InterruptedException {
            entered = false;
            returned = false;
            work.put("the benchmark");
            while (!(entered && getState() == State.TIMED_WAITING)) {
                Thread.onSpinWait();
            }
        }

        void awaitReturn() {
            while (!returned) {
                Thread.onSpinWait();
            }
            if (report.timedOut()) {
                throw new IllegalStateException("the drain timed out: " + report);
            }
        }
    }

    // ---------------------------------------------------------------- the last task

    private CompletableFuture<Void> last;

    @Setup(Level.Invocation)
    public void oneTaskAndADrainWaiting(org.openjdk.jmh.infra.BenchmarkParams params) throws InterruptedException {
        if (!params.getBenchmark().endsWith("lastCompletionToDrainReturn")) {
            return;
        }
        runtime.reopenAfterRestart();
        last = new CompletableFuture<>();
        runtime.register("the last task", last, runtime.jvm(), null);
        drainer.startDrain();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    public boolean lastCompletionToDrainReturn() {
        last.complete(null);
        drainer.awaitReturn();
        return drainer.returned;
    }

    // ---------------------------------------------------------------- 100 000 tasks

    private final CompletableFuture<?>[] backlog = new CompletableFuture<?>[BACKLOG];

    @Setup(Level.Invocation)
    public void backlog(org.openjdk.jmh.infra.BenchmarkParams params) throws InterruptedException {
        String name = params.getBenchmark();
        if (!name.endsWith("100k") && !name.endsWith("100kAtDeadline")) {
            return;
        }
        runtime.reopenAfterRestart();
        for (int i = 0; i < BACKLOG; i++) {
            backlog[i] = new CompletableFuture<>();
            runtime.register(null, backlog[i], runtime.jvm(), null);
        }
        if (name.endsWith("drain100k")) {
            drainer.startDrain();
        }
    }

    @TearDown(Level.Invocation)
    public void nothingLeft() {
        int pending = runtime.pendingEverywhere();
        if (pending != 0) {
            throw new IllegalStateException(pending + " task(s) still pending after the operation");
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 10)
    @Measurement(iterations = 20)
    @ComparedTo("complete100k")
    public boolean drain100k() {
        for (CompletableFuture<?> task : backlog) {
            task.complete(null);
        }
        drainer.awaitReturn();
        return drainer.returned;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 10)
    @Measurement(iterations = 20)
    public int complete100k() {
        for (CompletableFuture<?> task : backlog) {
            task.complete(null);
        }
        return backlog.length;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 5)
    @Measurement(iterations = 10)
    public int drain100kAtDeadline(DiscardedLog log) {
        DrainReport report = runtime.drainApplication(runtime.jvm(), "the benchmark");
        if (report.leftPending().size() != BACKLOG) {
            throw new IllegalStateException("expected " + BACKLOG + " tasks named at the deadline: "
                    + report.leftPending().size());
        }
        return report.cancelledAtDeadline();
    }
}
