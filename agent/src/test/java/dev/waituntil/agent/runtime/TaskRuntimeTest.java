package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.TestConfigs;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskRuntimeTest {

    /**
     * How long a test waits for what happens at once on an idle machine (a worker starting a task, a future
     * completing) before it fails. A guard against a hang, not a speed check: far above what a loaded 2-core
     * machine takes. Speed is measured by the benchmarks (BENCHMARKS.md), never asserted here.
     */
    private static final long PATIENCE_SECONDS = 60;

    private final CapturedLog log = new CapturedLog();
    private final List<TaskRuntime> runtimes = new ArrayList<>();
    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        runtimes.forEach(TaskRuntime::shutdownExecutor);
        pools.forEach(ExecutorService::shutdownNow);
        log.close();
    }

    private TaskRuntime runtime(String... settings) {
        TaskRuntime runtime = new TaskRuntime(TestConfigs.of(settings));
        runtimes.add(runtime);
        return runtime;
    }

    private ExecutorService pool(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return pool;
    }

    private static ClassLoader newApplicationLoader(String name) {
        return new URLClassLoader(new URL[0], TaskRuntimeTest.class.getClassLoader()) {
            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Test
    void aCompletableFutureIsPendingUntilItCompletes() {
        TaskRuntime runtime = runtime();
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("a", task, runtime.jvm(), null);
        assertEquals(1, runtime.pending(runtime.jvm()));
        task.complete("x");
        assertEquals(0, runtime.pending(runtime.jvm()));
        assertEquals(1, runtime.registeredCount());
        assertEquals(1, runtime.completedCount());
    }

    @Test
    void anAlreadyCompletedTaskIsCountedAndGoneAtOnce() {
        TaskRuntime runtime = runtime();
        runtime.register("done", CompletableFuture.completedFuture(1), runtime.jvm(), null);
        assertEquals(0, runtime.pending(runtime.jvm()));
        assertEquals(1, runtime.completedCount());
    }

    @Test
    void aCompletionStageThatIsNotACompletableFutureIsObservedByCallback() {
        TaskRuntime runtime = runtime();
        CompletableFuture<Integer> source = new CompletableFuture<>();
        runtime.register("minimal stage", source.minimalCompletionStage(), runtime.jvm(), null);
        assertEquals(1, runtime.pending(runtime.jvm()));
        source.complete(1);
        assertEquals(0, runtime.pending(runtime.jvm()));
    }

    @Test
    void aPlainFutureIsPendingUntilSeenDoneAndItsFailureIsLogged() throws Exception {
        TaskRuntime runtime = runtime();
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> task = pool(1).submit(() -> {
            release.await();
            throw new IllegalStateException("legacy failure");
        });
        runtime.register("legacy", task, runtime.jvm(), null);
        assertEquals(1, runtime.pending(runtime.jvm()));
        release.countDown();
        assertThrows(ExecutionException.class, () -> task.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, runtime.pending(runtime.jvm()));
        assertEquals(1, runtime.failedCount());
        assertEquals(1, log.linesContaining("'legacy'").size(), log.lines().toString());
    }

    @Test
    void eightThreadsTimesOneHundredThousandRegistrationsAreAllCountedAndDrained() throws Exception {
        TaskRuntime runtime = runtime();
        ClassLoader app = newApplicationLoader("app");
        Scope scope = runtime.scopeOf(app);
        int threads = 8;
        int perThread = 100_000;
        ExecutorService registrars = pool(threads);
        ExecutorService completers = pool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<CompletableFuture<Void>>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(registrars.submit(() -> {
                start.await();
                List<CompletableFuture<Void>> mine = new ArrayList<>(perThread);
                for (int i = 0; i < perThread; i++) {
                    CompletableFuture<Void> task = new CompletableFuture<>();
                    runtime.register(
                            i % 1000 == 0 ? "t" + thread + "-" + i : null,
                            task,
                            i % 2 == 0 ? scope : runtime.jvm(),
                            null);
                    mine.add(task);
                    if (i % 3 == 0) {
                        task.complete(null); // some finish while registration goes on
                    }
                }
                return mine;
            }));
        }
        start.countDown();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Future<List<CompletableFuture<Void>>> r : results) {
            all.addAll(r.get(2, TimeUnit.MINUTES));
        }
        assertEquals(threads * perThread, runtime.registeredCount());
        long open = all.stream().filter(f -> !f.isDone()).count();
        assertEquals(open, runtime.pendingEverywhere());

        // Complete the rest from two other threads while the drain waits.
        int half = all.size() / 2;
        completers.submit(() -> all.subList(0, half).forEach(f -> f.complete(null)));
        completers.submit(() -> all.subList(half, all.size()).forEach(f -> f.complete(null)));
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofMinutes(1));

        assertFalse(report.timedOut(), report.toString());
        assertEquals(0, runtime.pendingEverywhere());
        assertEquals(threads * perThread, runtime.completedCount());
        System.out.printf(
                "8 x 100000 registrations: drain of %d open tasks took %d ms%n",
                open, TimeUnit.NANOSECONDS.toMillis(report.elapsedNanos()));
    }

    /**
     * The drain returns because the last task completed, not because its deadline came: with a deadline of 60 s,
     * each round must return with the task done and nothing timed out, in well under 20 s. How soon after the
     * completion it returns (a parked thread's wake-up: microseconds on one machine, a millisecond on another) is a
     * figure, measured by {@code DrainBenchmark.lastCompletionToDrainReturn} in BENCHMARKS.md; here it is only printed.
     */
    @Test
    void theDrainReturnsOnTheLastCompletionNotAtItsDeadline() throws Exception {
        TaskRuntime runtime = runtime();
        Duration deadline = Duration.ofSeconds(60);
        List<Long> latencies = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            Scope scope = runtime.scopeOf(newApplicationLoader("round " + round));
            CompletableFuture<Void> last = new CompletableFuture<>();
            runtime.register("last", last, scope, null);
            AtomicReference<Long> completedAt = new AtomicReference<>();
            Thread completer = new Thread(() -> {
                sleep(50);
                completedAt.set(System.nanoTime());
                last.complete(null);
            });
            completer.start();
            DrainReport report = runtime.drain(scope, deadline);
            long returnedAt = System.nanoTime();
            boolean lastDoneWhenItReturned = last.isDone();
            completer.join();
            assertTrue(
                    lastDoneWhenItReturned, "round " + round + ": the drain returned before the last task completed");
            assertFalse(report.timedOut(), "round " + round + ": " + report);
            assertTrue(report.toString().endsWith("all tasks finished"), "round " + round + ": " + report);
            assertTrue(
                    report.elapsedNanos() < TimeUnit.SECONDS.toNanos(20),
                    "round " + round + ": returned on the completion, long before the 60 s deadline: " + report);
            latencies.add(returnedAt - completedAt.get());
        }
        Collections.sort(latencies);
        long median = latencies.get(latencies.size() / 2);
        long worst = latencies.get(latencies.size() - 1);
        System.out.printf(
                "drain latency after the last completion: median %d us, worst %d us (20 rounds)%n",
                median / 1000, worst / 1000);
    }

    @Test
    void tasksRegisteredWhileTheDrainRunsAreWaitedFor() throws Exception {
        TaskRuntime runtime = runtime();
        Scope scope = runtime.scopeOf(newApplicationLoader("app"));
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        runtime.register("first", first, scope, null);
        Thread chain = new Thread(() -> {
            sleep(100);
            runtime.register("second, registered during the drain", second, scope, null);
            first.complete(null);
            sleep(100);
            second.complete(null);
        });
        long begin = System.nanoTime();
        chain.start();
        DrainReport report = runtime.drain(scope, Duration.ofSeconds(60));
        long took = System.nanoTime() - begin;
        boolean secondDoneWhenItReturned = second.isDone();
        chain.join();
        assertFalse(report.timedOut(), report.toString());
        assertTrue(secondDoneWhenItReturned, "the drain must not return before the task registered during it");
        // Counted from the chain's start, which sleeps 2 x 100 ms before the second task completes: a floor the clock
        // guarantees, however late the drain itself began.
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(190), took / 1_000_000 + " ms; " + report);
    }

    @Test
    void plainFuturesRegisteredDuringTheDrainAreWaitedFor() throws Exception {
        TaskRuntime runtime = runtime();
        CompletableFuture<Void> callbackTask = new CompletableFuture<>();
        runtime.register("callback", callbackTask, runtime.jvm(), null);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService legacy = pool(1);
        Thread chain = new Thread(() -> {
            sleep(50);
            runtime.register(
                    "plain",
                    legacy.submit(() -> {
                        release.await();
                        return null;
                    }),
                    runtime.jvm(),
                    null);
            callbackTask.complete(null);
            sleep(150);
            release.countDown();
        });
        chain.start();
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofSeconds(60));
        chain.join();
        assertFalse(report.timedOut(), report.toString());
        assertEquals(0, runtime.pendingEverywhere());
        assertTrue(
                report.elapsedNanos() < TimeUnit.SECONDS.toNanos(20),
                "returned when the plain future was done, long before the 60 s deadline: " + report);
    }

    @Test
    void aStuckTaskIsBoundedByTheDeadlineNamedAndCancelled() throws Exception {
        TaskRuntime runtime = runtime();
        Scope scope = runtime.scopeOf(newApplicationLoader("/shop"));
        RequestInfo request = new RequestInfo("POST", "/orders", 17);
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        runtime.register("never ends", stuck, scope, request);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> running = runtime.run(
                "sleeps forever",
                () -> {
                    started.countDown();
                    try {
                        Thread.sleep(TimeUnit.HOURS.toMillis(1));
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                },
                scope,
                null,
                null);
        assertTrue(started.await(PATIENCE_SECONDS, TimeUnit.SECONDS));

        long begin = System.nanoTime();
        DrainReport report = runtime.drain(scope, Duration.ofMillis(300));
        long took = System.nanoTime() - begin;

        // Not before the deadline; and bounded by it, where the two tasks would hold an unbounded drain forever. The
        // upper bound only has to tell "returned" from "forever": 30 s past the deadline holds on any machine.
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300), took / 1_000_000 + " ms");
        assertTrue(took < TimeUnit.MILLISECONDS.toNanos(300) + TimeUnit.SECONDS.toNanos(30), took / 1_000_000 + " ms");
        assertTrue(report.timedOut());
        assertEquals(2, report.leftPending().size(), report.leftPending().toString());
        assertTrue(stuck.isCancelled());
        assertTrue(running.isCancelled());
        waitUntil(interrupted::get, "the run() task was interrupted");
        List<String> named = log.linesContaining("'never ends'");
        assertEquals(1, named.size(), log.lines().toString());
        String line = named.get(0);
        assertTrue(
                line.contains("POST /orders (request 17)")
                        && line.contains("age ")
                        && line.contains("/shop")
                        && line.contains("cancelling"),
                line);
        assertEquals(
                1, log.linesContaining("'sleeps forever'").size(), log.lines().toString());
    }

    @Test
    void aDrainNamesTheFirstHundredStuckTasksAndCountsTheRestInOneLine() {
        TaskRuntime runtime = runtime();
        int stuckTasks = Drainer.NAMED_AT_DEADLINE + 50;
        List<CompletableFuture<Void>> stuck = new ArrayList<>();
        for (int i = 0; i < stuckTasks; i++) {
            CompletableFuture<Void> task = new CompletableFuture<>();
            stuck.add(task);
            runtime.register("stuck " + i, task, runtime.jvm(), null);
        }
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofMillis(50));
        assertEquals(stuckTasks, report.leftPending().size(), "the report lists every task");
        assertTrue(stuck.stream().allMatch(CompletableFuture::isCancelled), "every task is cancelled, named or not");
        assertEquals(
                Drainer.NAMED_AT_DEADLINE,
                log.linesContaining("is still pending, cancelling it").size());
        List<String> summary = log.linesContaining("50 more task(s) are still pending, cancelling them");
        assertEquals(1, summary.size(), log.lines().toString());
        assertEquals(0, runtime.pending(runtime.jvm()));
    }

    /** Work that swallows the interrupt keeps its worker, but not the drain past its deadline. */
    @Test
    void aTaskThatIgnoresInterruptsDoesNotHoldTheDrainPastItsDeadlineAndIsCountedOnce() throws Exception {
        TaskRuntime runtime = runtime();
        AtomicBoolean release = new AtomicBoolean();
        AtomicInteger interruptsIgnored = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        CompletableFuture<Void> stubborn = runtime.run(
                "ignores interrupts",
                () -> {
                    started.countDown();
                    while (!release.get()) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            interruptsIgnored.incrementAndGet(); // and goes on, as badly written code does
                        }
                    }
                    ended.countDown();
                },
                runtime.jvm(),
                null,
                null);
        assertTrue(started.await(PATIENCE_SECONDS, TimeUnit.SECONDS));

        long begin = System.nanoTime();
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofMillis(300));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        // Not before the deadline, and not held by the work, which ignores interrupts until the test releases it below:
        // 30 s past the deadline tells the two apart on any machine.
        assertTrue(took >= 300, took + " ms");
        assertTrue(took < 300 + 30_000, took + " ms");
        assertTrue(report.timedOut());
        assertTrue(stubborn.isCancelled(), "the caller's future says cancelled");
        waitUntil(() -> interruptsIgnored.get() > 0, "the work was interrupted, and ignored it");
        assertEquals(0, runtime.pending(runtime.jvm()), "the drain's account is closed");
        release.set(true);
        assertTrue(ended.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the work ends when it wants to");
        sleep(50);
        assertEquals(1, runtime.cancelledCount(), "counted once, as cancelled");
        assertEquals(0, runtime.completedCount());
        assertEquals(0, runtime.failedCount());
    }

    /** 10 000 tasks completed at the same instant by 8 threads while a drain waits. */
    @Test
    void tenThousandTasksFinishingAtOnceAreEachCountedOnceAndTheDrainReturns() throws Exception {
        TaskRuntime runtime = runtime();
        Scope scope = runtime.scopeOf(newApplicationLoader("/burst"));
        int tasks = 10_000;
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            futures.add(f);
            runtime.register("burst " + i, f, scope, null);
        }
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService completers = pool(threads);
        for (int t = 0; t < threads; t++) {
            int first = t;
            completers.submit(() -> {
                go.await();
                for (int i = first; i < tasks; i += threads) {
                    futures.get(i).complete(null);
                }
                return null;
            });
        }
        AtomicReference<DrainReport> report = new AtomicReference<>();
        Thread drainer = new Thread(() -> report.set(runtime.drain(scope, Duration.ofSeconds(60))));
        drainer.start();
        sleep(50);
        go.countDown();
        drainer.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        assertFalse(drainer.isAlive());
        assertFalse(report.get().timedOut(), report.get().toString());
        assertEquals(0, runtime.pending(scope));
        assertEquals(tasks, runtime.completedCount(), "each counted once");
        assertEquals(0, runtime.cancelledCount() + runtime.failedCount());
    }

    @Test
    void withDrainCancelOffTheStuckTaskIsNamedButLeftRunning() {
        TaskRuntime runtime = runtime("drain.cancel=false");
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        runtime.register("left alone", stuck, runtime.jvm(), null);
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofMillis(50));
        assertTrue(report.timedOut());
        assertFalse(stuck.isDone());
        String line = log.linesContaining("'left alone'").get(0);
        assertFalse(line.contains("cancelling"), line);
    }

    @Test
    void aZeroTimeoutDoesNotWait() {
        TaskRuntime runtime = runtime("drain.timeout=10m");
        runtime.register("pending", new CompletableFuture<Void>(), runtime.jvm(), null);
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ZERO);
        assertTrue(report.timedOut());
        assertEquals(1, report.leftPending().size(), report.toString());
        // The task never completes: a zero taken for "no limit" would never return, one replaced by the configured
        // drain timeout (10 minutes here) would take 10 minutes.
        assertTrue(report.elapsedNanos() < TimeUnit.SECONDS.toNanos(30), report.toString());
    }

    @Test
    void afterItsDrainAScopeRejectsNamingTheLabelAndTheReason() {
        TaskRuntime runtime = runtime();
        Scope shop = runtime.scopeOf(newApplicationLoader("/shop"));
        Scope other = runtime.scopeOf(newApplicationLoader("/other"));
        runtime.drain(shop, Duration.ofSeconds(1));

        RejectedExecutionException e = assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("late mail", new CompletableFuture<>(), shop, null));
        assertTrue(
                e.getMessage().contains("'late mail'")
                        && e.getMessage().contains("/shop")
                        && e.getMessage().contains("drained"),
                e.getMessage());
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(
                RejectedExecutionException.class, () -> runtime.run("late run", () -> ran.set(true), shop, null, null));
        assertThrows(RejectedExecutionException.class, () -> runtime.supply("late supply", () -> 1, shop, null, null));
        assertEquals(3, runtime.rejectedCount());
        assertEquals(0, runtime.pending(shop));

        // The other application, and the JVM, still accept work.
        runtime.register("still fine", CompletableFuture.completedFuture(1), other, null);
        runtime.register("still fine", CompletableFuture.completedFuture(1), runtime.jvm(), null);

        runtime.drain(runtime.jvm(), Duration.ofSeconds(1));
        assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("after shutdown", new CompletableFuture<>(), other, null));
        sleep(50);
        assertFalse(ran.get(), "rejected work must not start");
    }

    @Test
    void aFullQueueRejectsWithTheReasonAndDoesNotStartTheWork() throws Exception {
        TaskRuntime runtime = runtime("executor.threads=1", "executor.queue=2");
        CountDownLatch release = new CountDownLatch(1);
        Runnable blocked = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        CountDownLatch running = new CountDownLatch(1);
        accepted.add(runtime.run(
                "running",
                () -> {
                    running.countDown();
                    blocked.run();
                },
                runtime.jvm(),
                null,
                null));
        // The worker has taken it off the queue once it runs: the queue's two places are free, however slow the start.
        assertTrue(running.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the first task started");
        accepted.add(runtime.run("queued 1", blocked, runtime.jvm(), null, null));
        accepted.add(runtime.run("queued 2", blocked, runtime.jvm(), null, null));
        AtomicBoolean ran = new AtomicBoolean();
        RejectedExecutionException e = assertThrows(
                RejectedExecutionException.class,
                () -> runtime.run("one too many", () -> ran.set(true), runtime.jvm(), null, null));
        assertTrue(
                e.getMessage().contains("'one too many'")
                        && e.getMessage().contains("queue is full")
                        && e.getMessage().contains("waituntil.executor.queue"),
                e.getMessage());
        assertEquals(3, runtime.pending(runtime.jvm()), "a rejected task is not pending");
        release.countDown();
        assertFalse(runtime.drain(runtime.jvm(), Duration.ofSeconds(60)).timedOut());
        assertFalse(ran.get());
        for (CompletableFuture<Void> f : accepted) {
            assertTrue(f.isDone() && !f.isCompletedExceptionally());
        }
    }

    @Test
    void oneFailingTaskAmongManyIsLoggedAndAffectsNoOther() throws Exception {
        TaskRuntime runtime = runtime();
        RequestInfo request = new RequestInfo("GET", "/reports/7", 3);
        Scope scope = runtime.scopeOf(newApplicationLoader("/reports"));
        List<CompletableFuture<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            tasks.add(runtime.supply(
                    i == 117 ? "render page 117" : "render page " + i,
                    () -> {
                        if (n == 117) {
                            throw new IllegalArgumentException("page 117 is corrupt");
                        }
                        return n;
                    },
                    scope,
                    request,
                    null));
        }
        assertFalse(runtime.drain(scope, Duration.ofSeconds(30)).timedOut());
        for (int i = 0; i < 200; i++) {
            if (i == 117) {
                assertTrue(tasks.get(i).isCompletedExceptionally());
            } else {
                assertEquals(i, tasks.get(i).get());
            }
        }
        assertEquals(1, runtime.failedCount());
        assertEquals(199, runtime.completedCount());
        LogRecord failure = log.records().stream()
                .filter(r -> r.getMessage().contains("failed"))
                .findFirst()
                .orElseThrow(AssertionError::new);
        assertTrue(failure.getMessage().contains("'render page 117'"), failure.getMessage());
        assertTrue(failure.getMessage().contains("GET /reports/7"), failure.getMessage());
        assertEquals("page 117 is corrupt", failure.getThrown().getMessage());
    }

    /** The runtime tracks run/supply work, not the future the caller got: completing that early does not end it. */
    @Test
    void runWorkIsWaitedForEvenWhenTheCallerCompletesItsFutureFirst() throws Exception {
        TaskRuntime runtime = runtime();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        CompletableFuture<Void> future = runtime.run(
                "slow report",
                () -> {
                    try {
                        release.await();
                        finished.set(true);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                runtime.jvm(),
                null,
                null);
        assertTrue(future.complete(null), "the caller completes the future while the work runs");
        assertEquals(1, runtime.pending(runtime.jvm()), "the work still runs");
        new Thread(() -> {
                    sleep(300);
                    release.countDown();
                })
                .start();
        assertFalse(runtime.drain(runtime.jvm(), Duration.ofSeconds(60)).timedOut());
        assertTrue(finished.get(), "the drain returned only after the work had ended");
        assertEquals(0, runtime.pending(runtime.jvm()));
        assertEquals(1, runtime.completedCount());
    }

    @Test
    void aRunTaskCancelledBeforeItStartsIsCountedOnceAsCancelled() throws Exception {
        TaskRuntime runtime = runtime("executor.threads=1");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocker = runtime.run(
                "blocker",
                () -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                runtime.jvm(),
                null,
                null);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Void> queued = runtime.run("queued", () -> ran.set(true), runtime.jvm(), null, null);
        assertTrue(queued.cancel(true));
        assertTrue(queued.isCancelled());
        waitUntil(() -> runtime.pending(runtime.jvm()) == 1, "the cancelled task no longer pending");
        release.countDown();
        blocker.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        waitUntil(() -> runtime.pending(runtime.jvm()) == 0, "nothing pending");
        assertFalse(ran.get(), "a cancelled task never runs");
        assertEquals(1, runtime.cancelledCount());
        assertEquals(1, runtime.completedCount());
    }

    @Test
    void runCompletesWithNullOrWithWhatItsBodyThrew() throws Exception {
        TaskRuntime runtime = runtime();
        AtomicBoolean ran = new AtomicBoolean();
        assertEquals(
                null,
                runtime.run("fine", () -> ran.set(true), runtime.jvm(), null, null)
                        .get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertTrue(ran.get());

        IllegalStateException thrown = new IllegalStateException("mail server down");
        CompletableFuture<Void> failing = runtime.run(
                "send receipt",
                () -> {
                    throw thrown;
                },
                runtime.jvm(),
                null,
                null);
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> failing.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertSame(thrown, e.getCause(), "the body's own exception, not a wrapper");
        // The caller's future completes first, then the task's record counts and logs the failure.
        waitUntil(() -> log.records().stream().anyMatch(r -> r.getMessage().contains("failed")), "the failure logged");
        assertEquals(1, runtime.failedCount());
        LogRecord failure = log.records().stream()
                .filter(r -> r.getMessage().contains("failed"))
                .findFirst()
                .orElseThrow(AssertionError::new);
        assertTrue(failure.getMessage().contains("'send receipt'"), failure.getMessage());
        assertSame(thrown, failure.getThrown());
    }

    /** Both a Runnable and a Callable: run() runs it, supply() calls it, whatever else it is. */
    private static final class Both implements Runnable, java.util.concurrent.Callable<String> {
        final AtomicReference<String> how = new AtomicReference<>();

        @Override
        public void run() {
            how.set("run");
        }

        @Override
        public String call() {
            how.set("call");
            return "called";
        }
    }

    @Test
    void runRunsAndSupplyCalls() throws Exception {
        TaskRuntime runtime = runtime();
        Both both = new Both();
        assertEquals(null, runtime.run("r", both, runtime.jvm(), null, null).get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertEquals("run", both.how.get());
        assertEquals(
                "called",
                runtime.supply("s", (java.util.concurrent.Callable<String>) both, runtime.jvm(), null, null)
                        .get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertEquals("call", both.how.get());
        waitUntil(() -> runtime.completedCount() == 2, "both counted once their records have been told");
    }

    @Test
    void tasksOfOneRuntimeHashApartAndAreEqualOnlyToThemselves() {
        TaskRuntime runtime = runtime();
        TrackedTask a = runtime.register("a", new CompletableFuture<Void>(), runtime.jvm(), null);
        TrackedTask b = runtime.register("b", new CompletableFuture<Void>(), runtime.jvm(), null);
        assertFalse(a.hashCode() == b.hashCode(), "hashed by their ids");
        assertFalse(a.equals(b));
        assertTrue(a.equals(a));
        assertEquals(2, runtime.pending(runtime.jvm()));
    }

    @Test
    void aCancelledTaskIsLogged() {
        TaskRuntime runtime = runtime();
        CompletableFuture<Void> task = new CompletableFuture<>();
        runtime.register("abandoned", task, runtime.jvm(), null);
        task.cancel(false);
        assertEquals(1, runtime.cancelledCount());
        assertEquals(
                1, log.linesContaining("'abandoned' (age").size(), log.lines().toString());
        assertTrue(log.linesContaining("'abandoned'").get(0).contains("cancelled"));
    }

    @Test
    void generatedLabelsSayWhereTheTaskCameFrom() {
        TaskRuntime runtime = runtime();
        TrackedTask fromRequest =
                runtime.register(null, new CompletableFuture<>(), runtime.jvm(), new RequestInfo("PUT", "/cart", 9));
        assertTrue(
                fromRequest.label().matches("task-\\d+ \\(CompletableFuture\\) from PUT /cart"), fromRequest.label());
        TrackedTask fromThread = runtime.register(null, new CompletableFuture<>(), runtime.jvm(), null);
        assertTrue(
                fromThread
                        .label()
                        .endsWith("from thread '" + Thread.currentThread().getName() + "'"),
                fromThread.label());
    }

    @Test
    void labelsWithControlCharactersOrHugeLengthCannotBreakALogLine() {
        TaskRuntime runtime = runtime();
        StringBuilder huge = new StringBuilder("line one\nFAKE: line two\u0007");
        while (huge.length() < 1_000_000) {
            huge.append('x');
        }
        CompletableFuture<Void> task = new CompletableFuture<>();
        runtime.register(huge.toString(), task, runtime.jvm(), null);
        task.completeExceptionally(new RuntimeException("boom"));
        String line = log.linesContaining("failed").get(0);
        assertFalse(line.contains("\n"), "a label must not break the line");
        assertTrue(line.contains("line one\\nFAKE: line two\\u0007"), line);
        assertTrue(line.length() < 1000, "a 1 MB label is cut in logs: " + line.length());
    }

    @Test
    void applicationsAreKeyedByClassLoaderAndCountedSeparately() {
        TaskRuntime runtime = runtime();
        ClassLoader a = newApplicationLoader("/a");
        ClassLoader b = newApplicationLoader("/a"); // same name, another instance: a parallel deployment
        Scope scopeA = runtime.scopeOf(a);
        assertSame(scopeA, runtime.scopeOf(a));
        Scope scopeB = runtime.scopeOf(b);
        assertNotSame(scopeA, scopeB);
        assertSame(runtime.jvm(), runtime.scopeOf(null));
        assertSame(runtime.jvm(), runtime.scopeOf(ClassLoader.getSystemClassLoader()));

        for (int i = 0; i < 3; i++) {
            runtime.register("a" + i, new CompletableFuture<>(), scopeA, null);
        }
        for (int i = 0; i < 5; i++) {
            runtime.register("b" + i, new CompletableFuture<>(), scopeB, null);
        }
        runtime.register("jvm", new CompletableFuture<>(), runtime.jvm(), null);
        assertEquals(3, runtime.pending(scopeA));
        assertEquals(5, runtime.pending(scopeB));
        assertEquals(1, runtime.pending(runtime.jvm()));
        assertEquals(9, runtime.pendingEverywhere());
        runtime.drain(scopeA, Duration.ZERO);
        assertEquals(0, runtime.pending(scopeA));
        assertEquals(5, runtime.pending(scopeB), "draining one application leaves the other alone");
    }

    @Test
    void anApplicationScopeDoesNotKeepItsClassLoaderAlive() throws Exception {
        TaskRuntime runtime = runtime();
        java.lang.ref.WeakReference<ClassLoader> ref = registerAndForget(runtime);
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(null, ref.get(), "the runtime must not pin an application's class loader");
    }

    private static java.lang.ref.WeakReference<ClassLoader> registerAndForget(TaskRuntime runtime) throws Exception {
        ClassLoader app = newApplicationLoader("/gone");
        Scope scope = runtime.scopeOf(app);
        runtime.supply("uses the loader", () -> 1, scope, null, contextOf(app)).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        runtime.drain(scope, Duration.ofSeconds(1));
        return new java.lang.ref.WeakReference<>(app);
    }

    @Test
    void workRunsWithTheCallersContextClassLoaderOnlyWhileItRuns() throws Exception {
        TaskRuntime runtime = runtime("executor.threads=1");
        ClassLoader app = newApplicationLoader("/app");
        AtomicReference<ClassLoader> during = new AtomicReference<>();
        AtomicReference<Thread> worker = new AtomicReference<>();
        runtime.run(
                        "look",
                        () -> {
                            during.set(Thread.currentThread().getContextClassLoader());
                            worker.set(Thread.currentThread());
                        },
                        runtime.scopeOf(app),
                        null,
                        contextOf(app))
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertSame(app, during.get());
        assertTrue(
                worker.get().getName().startsWith("wait-until-worker-"),
                worker.get().getName());
        assertTrue(worker.get().isDaemon());
        ClassLoader after = runtime.supply(
                        "after", () -> Thread.currentThread().getContextClassLoader(), runtime.jvm(), null, null)
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertEquals(null, after);
        waitUntil(() -> worker.get().getContextClassLoader() != app, "worker restored its own loader");
        assertNotSame(app, worker.get().getContextClassLoader());
    }

    @Test
    void cancellingTheFutureOfRunInterruptsTheWork() throws Exception {
        TaskRuntime runtime = runtime();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CompletableFuture<Void> f = runtime.run(
                "interruptible",
                () -> {
                    started.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                },
                runtime.jvm(),
                null,
                null);
        assertTrue(started.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertTrue(f.cancel(true));
        waitUntil(interrupted::get, "interrupted");
        assertEquals(0, runtime.pending(runtime.jvm()));
    }

    @Test
    void aStageThatRefusesToBeCancelledDoesNotBreakTheDrainAtItsDeadline() {
        TaskRuntime runtime = runtime();
        runtime.register("refuses", new CompletableFuture<Void>().minimalCompletionStage(), runtime.jvm(), null);
        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofMillis(100));
        assertTrue(report.timedOut(), report.toString());
        assertEquals(
                1,
                log.linesContaining("'refuses' (age").stream()
                        .filter(l -> l.contains("cannot be cancelled from outside; the stop goes on without it"))
                        .count(),
                log.lines().toString());
    }

    @Test
    void debugLogsRegistrationCompletionAndDrainSteps() {
        TaskRuntime runtime = runtime("debug=true");
        CompletableFuture<Void> task = new CompletableFuture<>();
        runtime.register("watched", task, runtime.jvm(), null);
        task.complete(null);
        runtime.drain(runtime.jvm(), Duration.ofSeconds(1));
        assertEquals(
                1,
                log.linesContaining("registered 'watched'").size(),
                log.lines().toString());
        assertEquals(
                1,
                log.linesContaining("task 'watched'").stream()
                        .filter(l -> l.contains("completed"))
                        .count());
        assertEquals(
                1, log.linesContaining("draining the JVM").size(), log.lines().toString());
        assertEquals(
                1,
                log.linesContaining("drain of the JVM for a direct call:").size(),
                log.lines().toString());
        assertEquals(
                1,
                log.linesContaining("the JVM has no task pending and no request in flight after").stream()
                        .filter(l -> l.contains("accepts no new tasks"))
                        .count(),
                log.lines().toString());
    }

    @Test
    void debugLogsTheEndOfATaskCancelledByTheDrainAndARejection() {
        TaskRuntime runtime = runtime("debug=true");
        runtime.register("abandoned", new CompletableFuture<Void>(), runtime.jvm(), null);
        runtime.drain(runtime.jvm(), Duration.ofMillis(50));
        assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("too late", new CompletableFuture<Void>(), runtime.jvm(), null));
        assertEquals(
                1,
                log.linesContaining("task 'abandoned'").stream()
                        .filter(l -> l.contains("ended, cancelled"))
                        .count(),
                log.lines().toString());
        assertEquals(
                1,
                log.linesContaining("the JVM reached the drain's deadline after")
                        .size(),
                log.lines().toString());
        assertEquals(
                1,
                log.linesContaining("rejected task 'too late'").size(),
                log.lines().toString());
    }

    @Test
    void withoutDebugASuccessfulTaskLogsNothing() {
        TaskRuntime runtime = runtime();
        CompletableFuture<Void> task = new CompletableFuture<>();
        runtime.register("quiet", task, runtime.jvm(), null);
        task.complete(null);
        runtime.drain(runtime.jvm(), Duration.ofSeconds(1));
        assertEquals(Collections.emptyList(), log.lines());
    }

    @Test
    void aDrainWaitsForRequestsInFlightAndTheTasksTheyRegister() throws Exception {
        TaskRuntime runtime = runtime();
        ClassLoader app = newApplicationLoader("/shop");
        Scope scope = runtime.requestStarted(app); // a slow request, still being served when the stop begins
        CompletableFuture<Void> registeredLate = new CompletableFuture<>();
        Thread request = new Thread(() -> {
            sleep(300);
            runtime.register("registered by the request in flight", registeredLate, scope, null);
            runtime.requestEnded(scope);
            sleep(100);
            registeredLate.complete(null);
        });
        long begin = System.nanoTime();
        request.start();
        DrainReport report = runtime.drainForShutdown("a test"); // the default drain timeout, 30 s
        long took = System.nanoTime() - begin;
        boolean doneWhenItReturned = registeredLate.isDone();
        request.join();
        assertFalse(report.timedOut(), report.toString());
        assertTrue(doneWhenItReturned, "the drain waited for the request, then for its task");
        // Counted from the request's start, which sleeps 300 + 100 ms before the task completes: a floor the clock
        // guarantees, however late the drain itself began.
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(390), took / 1_000_000 + " ms; " + report);
        assertEquals(0, scope.requestsInFlight());
    }

    /**
     * Contexts stop one after another: together their drains take one timeout, not two. What each drain was given is
     * read from its debug line ("..., 0 left"), not from the clock: b's drain begins after a's reached the stop's
     * deadline, so it must be given nothing, where a drain with a deadline of its own would get 400 ms.
     */
    @Test
    void oneStopHasOneDeadlineAndApplicationDrainsStayWithinIt() {
        TaskRuntime runtime = runtime("drain.timeout=400ms", "debug=true");
        Scope a = runtime.scopeOf(newApplicationLoader("/a"));
        Scope b = runtime.scopeOf(newApplicationLoader("/b"));
        runtime.register("stuck in a", new CompletableFuture<Void>(), a, null);
        runtime.register("stuck in b", new CompletableFuture<Void>(), b, null);
        long first = runtime.beginShutdown();
        assertEquals(first, runtime.beginShutdown(), "a later hook of the same stop keeps the deadline");
        long start = System.nanoTime();
        assertTrue(runtime.drainApplication(a).timedOut());
        assertTrue(System.nanoTime() - first >= 0, "a's drain held to the stop's deadline");
        assertTrue(runtime.drainApplication(b).timedOut());
        long took = System.nanoTime() - start;
        List<String> began = log.linesContaining("wait-until: draining application /b for its stop: ");
        assertEquals(1, began.size(), log.lines().toString());
        assertTrue(began.get(0).endsWith(", 0 left"), "b's drain got no time of its own: " + began.get(0));
        System.out.printf("two application drains of one stop with drain.timeout=400ms took %d ms%n", took / 1_000_000);
    }

    @Test
    void twoDrainsOfOneStopNameAStuckTaskOnceAndALaterDrainOfTheScopeReturnsAtOnce() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=300ms", "debug=true");
        Scope shop = runtime.scopeOf(newApplicationLoader("/shop"));
        runtime.register(
                "stuck",
                new CompletableFuture<Void>() {
                    @Override
                    public boolean cancel(boolean mayInterrupt) {
                        return false; // ignores cancellation, like a task that ignores interrupts
                    }
                },
                shop,
                null);
        Thread jvmHook = new Thread(() -> runtime.drainForShutdown("the JVM shutdown hook"));
        jvmHook.start();
        runtime.drainForShutdown("a container"); // the container's drain, beside the JVM's shutdown hook
        jvmHook.join();
        assertEquals(
                1,
                log.linesContaining("'stuck'").stream()
                        .filter(l -> l.contains("still pending"))
                        .count(),
                log.lines().toString());
        assertEquals(
                0,
                log.linesContaining("all tasks finished").size(),
                "neither drain's summary claims success\n" + log.lines());
        // contextDestroyed, Servlet.destroy...: one per component. Neither waits, which the runtime tells without a
        // clock: the first begins with nothing left of the stop's deadline (its debug line: "..., 0 left", where a
        // deadline of its own would give it 300 ms), the second finds the scope drained and returns a 0 ms report.
        long start = System.nanoTime();
        runtime.drainApplication(shop);
        DrainReport again = runtime.drainApplication(shop);
        long took = System.nanoTime() - start;
        List<String> began = log.linesContaining("wait-until: draining application /shop for its stop: ");
        assertEquals(1, began.size(), "the second drain does not begin again: " + log.lines());
        assertTrue(began.get(0).endsWith(", 0 left"), "no time of its own after the stop's deadline: " + began.get(0));
        assertEquals(0, again.elapsedNanos(), "already drained: " + again);
        System.out.printf("two later drains of a drained scope took %d ms%n", took / 1_000_000);
    }

    /**
     * Both drains must be under way when the deadline comes (a drain that begins after the cancel sees nothing
     * pending, and rightly reports so): the second one is started and seen to have fixed the stop's deadline before
     * the first begins, and the deadline, 10 s, leaves any machine the time to begin the first.
     */
    @Test
    void aDrainThatSeesAnotherDrainCancelATaskDoesNotReportSuccess() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=10s");
        CompletableFuture<Void> cancellable = new CompletableFuture<>();
        runtime.register("cancellable", cancellable, runtime.jvm(), null);
        DrainReport[] other = new DrainReport[1];
        Thread second = new Thread(() -> other[0] = runtime.drainForShutdown("the JVM shutdown hook"));
        second.start();
        waitUntil(runtime::isShuttingDown, "the JVM shutdown hook's drain began");
        DrainReport first = runtime.drainForShutdown("a container");
        second.join();
        assertTrue(cancellable.isCancelled());
        assertTrue(first.timedOut() && other[0].timedOut(), first + " / " + other[0]);
        assertEquals(
                1,
                log.linesContaining("'cancellable'").stream()
                        .filter(l -> l.contains("still pending"))
                        .count());
    }

    @Test
    void aServerStartedAgainAfterAStopReopensTheRuntime() {
        TaskRuntime runtime = runtime("drain.timeout=60s");
        Scope app = runtime.scopeOf(newApplicationLoader("/app"));
        long firstDeadline = runtime.beginShutdown();
        runtime.drainForShutdown("a server stop"); // nothing pending: returns at once
        assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("after the stop", new CompletableFuture<>(), app, null));
        assertTrue(runtime.isShuttingDown());

        assertTrue(runtime.reopenAfterRestart(), "the stop had drained something");
        assertFalse(runtime.isShuttingDown(), "the old deadline is forgotten");
        runtime.register("after the restart", CompletableFuture.completedFuture(1), app, null);
        runtime.register("after the restart", CompletableFuture.completedFuture(1), runtime.jvm(), null);
        CompletableFuture<Void> pending = new CompletableFuture<>();
        runtime.register("drained by the next stop", pending, app, null);
        new Thread(() -> {
                    sleep(100);
                    pending.complete(null);
                })
                .start();
        // Its own deadline, fixed anew (the old one would be equal); 60 s, so that its task's 100 ms fit on any
        // machine.
        long nextDeadline = runtime.beginShutdown();
        assertTrue(nextDeadline - firstDeadline > 0, "the next stop has a deadline of its own");
        assertFalse(runtime.drainForShutdown("the next stop").timedOut(), "the next stop has a deadline of its own");
    }

    @Test
    void existingScopeOfDoesNotCreateOne() {
        TaskRuntime runtime = runtime();
        ClassLoader never = newApplicationLoader("/never-used");
        assertEquals(null, runtime.existingScopeOf(never));
        assertSame(runtime.jvm(), runtime.existingScopeOf(null));
        Scope made = runtime.scopeOf(never);
        assertSame(made, runtime.existingScopeOf(never));
    }

    @Test
    void onlyFuturesAndStagesCanBeRegistered() {
        TaskRuntime runtime = runtime();
        assertThrows(NullPointerException.class, () -> runtime.register("x", null, runtime.jvm(), null));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> runtime.register("x", "not a task", runtime.jvm(), null));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
    }

    private static TaskContext contextOf(ClassLoader loader) {
        return TaskContext.capture(loader, loader, new LoggingContextLookup(false));
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until: " + what);
            }
            sleep(5);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
