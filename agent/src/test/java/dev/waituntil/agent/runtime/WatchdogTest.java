package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watchdog's rules, driven with chosen instants through {@link Watchdog#check(long)} (no thread,
 * no sleeping), then the started thread against real time.
 */
class WatchdogTest {

    /** How long a test waits for what happens at once before it fails: a hang guard, not a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    private static final Duration WARN = Duration.ofMinutes(15);
    private static final Duration ERROR = Duration.ofHours(1);
    private static final Duration REPEAT = Duration.ofMinutes(10);

    private final CapturedLog log = new CapturedLog();
    private final List<TaskRuntime> runtimes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        runtimes.forEach(TaskRuntime::shutdownExecutor);
        log.close();
    }

    /** A runtime whose own watchdog is off, so that only the test's checks act. */
    private TaskRuntime quietRuntime(String... settings) {
        String[] all = new String[settings.length + 3];
        all[0] = "task.warnAfter=0";
        all[1] = "task.errorAfter=0";
        all[2] = "task.timeout=0";
        System.arraycopy(settings, 0, all, 3, settings.length);
        TaskRuntime runtime = new TaskRuntime(TestConfigs.of(all));
        runtimes.add(runtime);
        return runtime;
    }

    private static Watchdog watchdog(TaskRuntime runtime, Duration warn, Duration error, Duration timeout) {
        return new Watchdog(runtime, warn, error, timeout, REPEAT);
    }

    private static long at(TrackedTask task, Duration age) {
        return task.registeredNanos() + age.toNanos();
    }

    private List<String> warnings(String text) {
        List<String> out = new ArrayList<>();
        log.records().stream()
                .filter(r -> r.getLevel() == Level.WARNING && r.getMessage().contains(text))
                .forEach(r -> out.add(r.getMessage()));
        return out;
    }

    private List<String> errors(String text) {
        List<String> out = new ArrayList<>();
        log.records().stream()
                .filter(r -> r.getLevel() == Level.SEVERE && r.getMessage().contains(text))
                .forEach(r -> out.add(r.getMessage()));
        return out;
    }

    @Test
    void aSlowTaskIsNamedByOneWarningOnceItReachesWarnAfter() {
        TaskRuntime runtime = quietRuntime();
        TrackedTask task = runtime.register(
                "nightly export", new CompletableFuture<Void>(), runtime.jvm(), new RequestInfo("POST", "/export", 7));
        Watchdog watchdog = watchdog(runtime, WARN, Duration.ZERO, Duration.ZERO);

        watchdog.check(at(task, WARN.minusMillis(1)));
        assertEquals(List.of(), warnings("warnAfter"), "not yet");
        watchdog.check(at(task, WARN));
        watchdog.check(at(task, WARN.multipliedBy(3)));

        List<String> lines = warnings("waituntil.task.warnAfter=15m");
        assertEquals(1, lines.size(), "one warning, however long it runs: " + log.lines());
        assertTrue(
                lines.get(0).contains("'nightly export'") && lines.get(0).contains("request POST /export (request 7)"),
                "the warning names the task and its request: " + lines.get(0));
    }

    @Test
    void errorAfterLogsAnErrorAndRepeatsItEveryTenMinutesNotOnceForEveryMissedRepeat() {
        TaskRuntime runtime = quietRuntime();
        TrackedTask task = runtime.register("stuck import", new CompletableFuture<Void>(), runtime.jvm(), null);
        Watchdog watchdog = watchdog(runtime, WARN, ERROR, Duration.ZERO);

        watchdog.check(at(task, WARN));
        watchdog.check(at(task, ERROR));
        assertEquals(1, errors("'stuck import'").size(), log.lines().toString());
        watchdog.check(at(task, ERROR.plus(REPEAT).minusSeconds(1)));
        assertEquals(1, errors("'stuck import'").size(), "not again before 10 minutes: " + log.lines());
        watchdog.check(at(task, ERROR.plus(REPEAT)));
        assertEquals(2, errors("'stuck import'").size(), "again at 10 minutes: " + log.lines());
        watchdog.check(at(task, ERROR.plusHours(2)));
        assertEquals(3, errors("'stuck import'").size(), "a late look logs once, not once per missed repeat");
        assertTrue(
                errors("waituntil.task.errorAfter=1h").get(0).contains("again every 10m"),
                log.lines().toString());
        assertEquals(1, warnings("warnAfter").size(), "the warning came once, before the errors");
    }

    @Test
    void aTaskThatReachesErrorAfterBeforeAnyLookGetsTheErrorNotAlsoTheWarning() {
        TaskRuntime runtime = quietRuntime();
        TrackedTask task = runtime.register("late look", new CompletableFuture<Void>(), runtime.jvm(), null);
        watchdog(runtime, WARN, ERROR, Duration.ZERO).check(at(task, ERROR));
        assertEquals(1, errors("'late look'").size());
        assertEquals(List.of(), warnings("'late look'"));
    }

    @Test
    void taskTimeoutCancelsAndInterruptsRunWorkAndNamesItOnce() throws Exception {
        TaskRuntime runtime = quietRuntime();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CompletableFuture<Void> work = runtime.run(
                "overrunning",
                () -> {
                    running.countDown();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                },
                runtime.jvm(),
                null,
                null);
        assertTrue(running.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        TrackedTask task = runtime.pendingTasks().get(0);

        watchdog(runtime, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(2)).check(at(task, Duration.ofSeconds(2)));

        assertTrue(interrupted.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "the work was interrupted");
        assertThrows(CancellationException.class, () -> work.getNow(null));
        assertEquals(0, runtime.pending(runtime.jvm()));
        assertEquals(1, runtime.cancelledCount());
        List<String> lines = warnings("'overrunning'");
        assertEquals(1, lines.size(), "named once, by the timeout line, not again as 'was cancelled': " + log.lines());
        assertTrue(lines.get(0).contains("ran longer than waituntil.task.timeout=2s; cancelled it"), lines.get(0));
    }

    @Test
    void aRegisteredFutureIsCancelledAtTheTimeoutToo() {
        TaskRuntime runtime = quietRuntime();
        CompletableFuture<String> own = new CompletableFuture<>();
        TrackedTask task = runtime.register("own pool", own, runtime.jvm(), null);
        watchdog(runtime, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)).check(at(task, Duration.ofSeconds(1)));
        assertTrue(own.isCancelled());
        assertEquals(0, runtime.pending(runtime.jvm()));
    }

    @Test
    void aStageThatCannotBeCancelledIsNamedAndStaysPending() {
        TaskRuntime runtime = quietRuntime();
        CompletableFuture<Void> source = new CompletableFuture<>();
        TrackedTask task = runtime.register("minimal", source.minimalCompletionStage(), runtime.jvm(), null);
        Watchdog watchdog = watchdog(runtime, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));
        watchdog.check(at(task, Duration.ofSeconds(1)));
        watchdog.check(at(task, Duration.ofSeconds(5)));
        assertEquals(
                1,
                warnings("cannot be cancelled from outside; it stays pending").size(),
                log.lines().toString());
        assertEquals(1, runtime.pending(runtime.jvm()));
        source.complete(null);
        assertEquals(0, runtime.pending(runtime.jvm()));
    }

    @Test
    void aPlainFutureThatIsDoneIsNotNamedAsRunning() {
        TaskRuntime runtime = quietRuntime();
        FutureTask<String> done = new FutureTask<>(() -> "ok");
        TrackedTask task = runtime.register("finished quietly", done, runtime.jvm(), null);
        done.run();
        watchdog(runtime, WARN, Duration.ZERO, Duration.ZERO).check(at(task, WARN.multipliedBy(2)));
        assertEquals(List.of(), warnings("finished quietly"));
        assertEquals(1, runtime.completedCount());
    }

    @Test
    void theNextLookIsWhenTheEarliestTaskCanReachAThresholdAndNeverLaterThanTheSmallestThreshold() {
        TaskRuntime runtime = quietRuntime();
        Watchdog watchdog = watchdog(runtime, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO);
        long now = System.nanoTime();
        assertEquals(
                now + Duration.ofSeconds(10).toNanos(),
                watchdog.check(now),
                "with nothing pending: a task registered from now on reaches 10 s no sooner");

        TrackedTask task = runtime.register("t", new CompletableFuture<Void>(), runtime.jvm(), null);
        assertEquals(at(task, Duration.ofSeconds(10)), watchdog.check(at(task, Duration.ofSeconds(1))));
        assertEquals(
                at(task, Duration.ofSeconds(20)),
                watchdog.check(at(task, Duration.ofSeconds(10))),
                "warned; the error is due at 30 s, but a task registered now could reach 10 s at 20 s");
        assertEquals(
                at(task, Duration.ofSeconds(30)), watchdog.check(at(task, Duration.ofSeconds(20))), "then the error");
    }

    @Test
    void looksAreAtLeastATwentiethOfTheSmallestThresholdApart() {
        TaskRuntime runtime = quietRuntime();
        Watchdog watchdog = watchdog(runtime, Duration.ofSeconds(2), Duration.ZERO, Duration.ZERO);
        TrackedTask first = runtime.register("a", new CompletableFuture<Void>(), runtime.jvm(), null);
        runtime.register("b", new CompletableFuture<Void>(), runtime.jvm(), null);
        long now = at(first, Duration.ofSeconds(2));
        assertTrue(
                watchdog.check(now) - now >= TimeUnit.MILLISECONDS.toNanos(100),
                "b is due within nanoseconds of a, but the next look waits the resolution");
    }

    // ---------------------------------------------------------------- the thread, in real time

    @Test
    void theStartedWatchdogCancelsAnOverrunningTaskSoThatADrainDoesNotWaitForIt() throws Exception {
        TaskRuntime runtime = quietRuntime("task.timeout=300ms", "task.warnAfter=100ms");
        CompletableFuture<Void> stuck = runtime.run(
                "never ends",
                () -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        // cancelled: end
                    }
                },
                runtime.jvm(),
                null,
                null);

        DrainReport report = runtime.drain(runtime.jvm(), Duration.ofSeconds(60));

        assertTrue(stuck.isCancelled());
        assertFalse(report.timedOut(), "the watchdog ended it, not the drain's deadline: " + report);
        assertTrue(report.elapsedNanos() < TimeUnit.SECONDS.toNanos(30), report.toString());
        awaitTrue(() -> warnings("'never ends'").size() == 2, () -> log.lines().toString());
        assertTrue(warnings("waituntil.task.warnAfter=100ms").get(0).contains("'never ends'"));
        assertTrue(warnings("waituntil.task.timeout=300ms; cancelled it").get(0).contains("'never ends'"));
    }

    @Test
    void oneThreadForTheWholeRuntimeNoneWhenEveryThresholdIsZeroAndItEndsWithTheRuntime() throws Exception {
        long before = watchdogThreads();
        TaskRuntime off = quietRuntime();
        for (int i = 0; i < 100; i++) {
            off.register("t" + i, new CompletableFuture<Void>(), off.jvm(), null);
        }
        assertEquals(before, watchdogThreads(), "all thresholds 0: no thread");

        TaskRuntime on = quietRuntime("task.warnAfter=15m");
        for (int i = 0; i < 100; i++) {
            on.register("t" + i, new CompletableFuture<Void>(), on.jvm(), null);
        }
        assertEquals(before + 1, watchdogThreads(), "one thread, however many tasks");
        on.shutdownExecutor();
        awaitTrue(() -> watchdogThreads() == before, () -> "the thread ends with the runtime");
    }

    private static long watchdogThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("wait-until-watchdog") && t.isAlive())
                .count();
    }

    private static void awaitTrue(Supplier<Boolean> condition, Supplier<String> why) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE_SECONDS + " s: " + why.get());
            }
            Thread.sleep(10);
        }
    }
}
