package dev.waituntil.benchmarks;

import dev.waituntil.WaitUntil;
import dev.waituntil.benchmarks.servlet.RequestScopeProbe;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletableFuture;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code WaitUntil.register(future)} through the agent, one thread ({@link RegisterBenchmark})
 * and eight ({@link RegisterBenchmark8Threads}). Each operation is self-contained, so nothing accumulates:
 *
 * <ul>
 *   <li>{@link #register}: {@code new CompletableFuture}, {@code WaitUntil.register(future)}, then
 *       {@code future.complete(null)}, which runs the agent's completion callback and removes the task.</li>
 *   <li>{@link #futureOnly}: the same without the registration: {@code new CompletableFuture}, {@code complete}.
 *       The difference is what {@code register} costs, from the call to the task's removal.</li>
 * </ul>
 *
 * Outside a request, as a task registered by application code on its own thread: the thread's context class
 * loader is the web application's (one loader for all threads), so every task goes to that application's scope.
 * Budget: under 150 ns and under 100 bytes a task.
 */
@Agent(Agent.Forks.WITH)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
@State(Scope.Thread)
public class RegisterBenchmark {

    /** One web application for all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Application {
        final ClassLoader loader = new URLClassLoader(new URL[0], RegisterBenchmark.class.getClassLoader()) {
            @Override
            public String toString() {
                return "benchmark web application";
            }
        };

        @Setup(Level.Trial)
        public void checkAgent() {
            if (!RequestScopeProbe.checkAgent()) {
                throw new IllegalStateException("RegisterBenchmark measures the agent: run it with the agent");
            }
        }
    }

    private ClassLoader before;

    @Setup(Level.Iteration)
    public void enter(Application application) {
        before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(application.loader);
    }

    @TearDown(Level.Iteration)
    public void leave() {
        Thread.currentThread().setContextClassLoader(before);
        int pending = WaitUntil.pending();
        if (pending != 0) {
            throw new IllegalStateException(
                    pending + " task(s) still pending after the iteration; every operation must complete its task");
        }
    }

    @Benchmark
    @ComparedTo("futureOnly")
    public CompletableFuture<Void> register() {
        CompletableFuture<Void> task = new CompletableFuture<>();
        WaitUntil.register(task);
        task.complete(null);
        return task;
    }

    @Benchmark
    public CompletableFuture<Void> futureOnly() {
        CompletableFuture<Void> task = new CompletableFuture<>();
        task.complete(null);
        return task;
    }
}
