package dev.waituntil.benchmarks;

import dev.waituntil.WaitUntil;
import dev.waituntil.benchmarks.servlet.RequestScopeProbe;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * {@code WaitUntil.run(label, task)} against what applications use today,
 * {@code ThreadPoolExecutor.execute} and Spring's {@code ThreadPoolTaskExecutor.submit}; one thread
 * ({@link RunBenchmark}) and eight ({@link RunBenchmark8Threads}).
 *
 * <p>An operation is one task handed over, run on a pool thread, and seen finished. Each invocation hands over
 * {@value #BATCH} tasks and waits until all have run, so nothing accumulates and the wake-ups of the waiting
 * thread are spread over the batch. The task counts down, after {@link #work} tokens of CPU work. The three pools are alike: as many threads
 * as the agent's executor ({@code waituntil.executor.threads}, by default the processors and at least 2), all
 * started up front, and a queue of 10 000 (the agent's default; Spring's is a {@code LinkedBlockingQueue}).
 * Figures per task; the allocation ({@code gc.alloc.rate.norm}) counts every thread, the pool's included.
 * Budget: {@code run} within 1.1 times the plain executor.
 */
@Agent(Agent.Forks.WITH)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@Threads(1)
@State(Scope.Benchmark)
public class RunBenchmark {

    static final int BATCH = 1000;
    static final String LABEL = "send receipt";

    /**
     * What the task does: 0, nothing but count down (the executors' own cost, the worst case for the comparison);
     * or burn this many of JMH's CPU tokens ({@code Blackhole.consumeCPU}) first, a stand-in for a small real task.
     */
    @Param({"0", "2000"})
    public int work;

    private final ClassLoader application = new URLClassLoader(new URL[0], RunBenchmark.class.getClassLoader()) {
        @Override
        public String toString() {
            return "benchmark web application";
        }
    };
    private ThreadPoolExecutor plain;
    private ThreadPoolTaskExecutor spring;

    @Setup(Level.Trial)
    public void startPools() {
        if (!RequestScopeProbe.checkAgent()) {
            throw new IllegalStateException("RunBenchmark measures the agent: run it with the agent");
        }
        int threads = Integer.getInteger(
                "waituntil.executor.threads", Math.max(2, Runtime.getRuntime().availableProcessors()));
        plain = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(10_000));
        plain.prestartAllCoreThreads();
        spring = new ThreadPoolTaskExecutor();
        spring.setCorePoolSize(threads);
        spring.setMaxPoolSize(threads);
        spring.setQueueCapacity(10_000);
        spring.setThreadNamePrefix("spring-task-");
        spring.initialize();
        spring.getThreadPoolExecutor().prestartAllCoreThreads();
    }

    @TearDown(Level.Trial)
    public void stopPools() {
        plain.shutdown();
        spring.shutdown();
    }

    /** The task: counts down its batch and wakes the thread that waits for it. One per benchmark thread, reused. */
    @State(Scope.Thread)
    public static class Batch implements Runnable {
        final AtomicInteger left = new AtomicInteger();
        volatile Thread waiter;
        private int work;
        private ClassLoader before;

        @Setup(Level.Iteration)
        public void enter(RunBenchmark benchmark) {
            work = benchmark.work;
            before = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(benchmark.application);
        }

        @TearDown(Level.Iteration)
        public void leave() {
            Thread.currentThread().setContextClassLoader(before);
        }

        @Override
        public void run() {
            if (work > 0) {
                Blackhole.consumeCPU(work);
            }
            if (left.decrementAndGet() == 0) {
                LockSupport.unpark(waiter);
            }
        }

        void start() {
            waiter = Thread.currentThread();
            left.set(BATCH);
        }

        void await() {
            while (left.get() != 0) {
                LockSupport.park(this);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ComparedTo({"execute", "springSubmit"})
    public void run(Batch batch) {
        batch.start();
        for (int i = 0; i < BATCH; i++) {
            WaitUntil.run(LABEL, batch);
        }
        batch.await();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void execute(Batch batch) {
        batch.start();
        for (int i = 0; i < BATCH; i++) {
            plain.execute(batch);
        }
        batch.await();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void springSubmit(Batch batch) {
        batch.start();
        for (int i = 0; i < BATCH; i++) {
            spring.submit(batch);
        }
        batch.await();
    }
}
