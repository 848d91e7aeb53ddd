package dev.waituntil.benchmarks;

import dev.waituntil.WaitUntil;
import dev.waituntil.benchmarks.servlet.HelloServlet;
import dev.waituntil.benchmarks.servlet.MinimalRequest;
import dev.waituntil.benchmarks.servlet.MinimalResponse;
import dev.waituntil.benchmarks.servlet.RequestScopeProbe;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Heap retained per pending task, through the agent. An operation registers N tasks that stay
 * pending, between two class histograms of the live heap (each after a full collection). What the application
 * made before the first (its futures, its runnable) is not counted; everything the registration made and keeps is.
 * Each iteration uses a new web application (a new class loader as the context class loader), so the scope's
 * task set starts empty and its growth is counted too. Budget: 300 bytes or less per pending task.
 *
 * <ul>
 *   <li>{@code register}: {@code WaitUntil.register(future)} of N = 100 000 {@code CompletableFuture}s,
 *       outside any request.</li>
 *   <li>{@code registerInRequest}: the same, each from its own request ({@code HttpServlet.service} of an
 *       instrumented servlet), so each task also keeps what it records of its request.</li>
 *   <li>{@code run}: N = 9 000 {@code WaitUntil.run(label, runnable)} of one runnable, queued behind the agent's
 *       workers, which are kept busy (N stays under the default queue of 10 000).</li>
 * </ul>
 *
 * Reported through {@link Figures}: {@code retained.bytes.per.task} (from the histograms),
 * {@code heap.used.bytes.per.task} (heap used after {@code System.gc()}, a cross-check), and
 * {@code left.after.completion.bytes.per.task} (once every task has completed and the application has dropped
 * the futures {@code run} returned: what stays behind). The fork's output lists the growth by class (those lists
 * include the histograms' own text, a {@code String} and a {@code byte[]} per histogram, which the figures exclude).
 */
@Agent(Agent.Forks.WITH)
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(2)
public class MemoryBenchmark {

    @Param({"register", "registerInRequest", "run"})
    public String kind;

    private int tasks;
    private CompletableFuture<?>[] futures;
    private final Runnable work = () -> {};
    private final HelloServlet servlet = new HelloServlet();
    private final MinimalRequest post = new MinimalRequest("POST", "/shop", "/shop/order");
    private final MinimalResponse response = new MinimalResponse();
    private ClassLoader before;
    private CountDownLatch release;
    private int iteration;

    @Setup(Level.Trial)
    public void checkAgent() {
        if (!RequestScopeProbe.checkAgent()) {
            throw new IllegalStateException("MemoryBenchmark measures the agent: run it with the agent");
        }
        tasks = kind.equals("run") ? 9_000 : 100_000;
    }

    @Setup(Level.Iteration)
    public void newApplication() throws InterruptedException {
        before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread()
                .setContextClassLoader(new URLClassLoader(new URL[0], MemoryBenchmark.class.getClassLoader()) {
                    @Override
                    public String toString() {
                        return "benchmark web application";
                    }
                });
        futures = new CompletableFuture<?>[tasks];
        if (kind.equals("run")) {
            // Keep every worker busy, so that the N tasks wait in the queue.
            int workers = Integer.getInteger(
                    "waituntil.executor.threads",
                    Math.max(2, Runtime.getRuntime().availableProcessors()));
            CountDownLatch started = new CountDownLatch(workers);
            release = new CountDownLatch(1);
            for (int i = 0; i < workers; i++) {
                WaitUntil.run("blocker", () -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            if (!started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the agent's workers did not start the blockers");
            }
        } else {
            for (int i = 0; i < tasks; i++) {
                futures[i] = new CompletableFuture<>();
            }
        }
        // The application's scope is made on its first task; made here, it is not counted (it is not per task).
        CompletableFuture<Void> first = new CompletableFuture<>();
        WaitUntil.register(first);
        first.complete(null);
    }

    @TearDown(Level.Iteration)
    public void leave() {
        Thread.currentThread().setContextClassLoader(before);
        futures = null;
        iteration++;
    }

    @Benchmark
    public int pendingTasks() throws Exception {
        HeapHistogram empty = HeapHistogram.take();
        long usedBefore = usedAfterGc();

        switch (kind) {
            case "register":
                for (CompletableFuture<?> f : futures) {
                    WaitUntil.register(f);
                }
                break;
            case "registerInRequest":
                for (CompletableFuture<?> f : futures) {
                    servlet.toRegister = f;
                    servlet.service(post, response);
                }
                break;
            case "run":
                for (int i = 0; i < tasks; i++) {
                    futures[i] = WaitUntil.run("queued", work);
                }
                break;
            default:
                throw new IllegalArgumentException(kind);
        }
        int pending = WaitUntil.pending();
        int expected = tasks
                + (kind.equals("run")
                        ? release.getCount() == 1
                                ? Integer.getInteger(
                                        "waituntil.executor.threads",
                                        Math.max(2, Runtime.getRuntime().availableProcessors()))
                                : 0
                        : 0);
        if (pending != expected) {
            throw new IllegalStateException("expected " + expected + " pending tasks, found " + pending);
        }

        HeapHistogram full = HeapHistogram.take();
        long usedFull = usedAfterGc();

        if (kind.equals("run")) {
            release.countDown();
        } else {
            for (CompletableFuture<?> f : futures) {
                f.complete(null);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (WaitUntil.pending() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(WaitUntil.pending() + " tasks still pending 30 s after completion");
            }
            Thread.sleep(1);
        }
        if (kind.equals("run")) {
            // The futures run() returned are the application's to keep or drop; what stays after is the runtime's.
            java.util.Arrays.fill(futures, null);
        }
        HeapHistogram done = HeapHistogram.take();

        // The histograms' own text is alive during the later ones: take it out, to the byte.
        long retained = full.totalBytes() - empty.totalBytes() - empty.selfBytes();
        long left = done.totalBytes() - empty.totalBytes() - empty.selfBytes() - full.selfBytes();
        Figures.record("retained.bytes.per.task", (double) retained / tasks, "B/task");
        Figures.record(
                "heap.used.bytes.per.task", (double) (usedFull - usedBefore - full.selfBytes()) / tasks, "B/task");
        Figures.record("left.after.completion.bytes.per.task", (double) left / tasks, "B/task");

        if (iteration == 0) {
            System.out.println();
            System.out.println("# " + kind + ": live heap grown by " + retained + " bytes for " + tasks
                    + " pending tasks (histogram texts excluded), by class:");
            empty.growthTo(full, tasks).forEach(line -> System.out.println("#   " + line));
            System.out.println("# " + kind + ": after every task completed, " + left + " bytes left, by class:");
            empty.growthTo(done, tasks).forEach(line -> System.out.println("#   " + line));
        }
        return pending;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
