package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.config.TestConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Settings an application gives once the runtime runs (the Spring Boot starter): the runtime follows them. */
class TaskRuntimeSettingsTest {

    /** A guard against a hang, far above what a loaded 2-core machine takes; never a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    private static final InheritableThreadLocal<String> APPLICATION_STATE = new InheritableThreadLocal<>();

    private final CapturedLog log = new CapturedLog();
    private final List<TaskRuntime> runtimes = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        runtimes.forEach(TaskRuntime::shutdownExecutor);
        APPLICATION_STATE.remove();
        log.close();
    }

    private TaskRuntime runtime(String... settings) {
        TaskRuntime runtime = new TaskRuntime(TestConfigs.of(settings));
        runtimes.add(runtime);
        return runtime;
    }

    private static Map<String, String> given(String name, String value) {
        return Collections.singletonMap(name, value);
    }

    @Test
    void theNextDrainTakesTheGivenTimeoutAndCancelSetting() {
        TaskRuntime runtime = runtime();
        String inForce = runtime.applySettings(given("waituntil.drain.timeout", "100ms"), problems::add);
        runtime.applySettings(given("waituntil.drain.cancel", "false"), problems::add);
        assertTrue(inForce.contains("drain.timeout=100ms (application settings)"), inForce);
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        runtime.register("stuck", stuck, runtime.jvm(), null);

        DrainReport report = runtime.drainForShutdown("a test");

        assertTrue(report.timedOut(), report.toString());
        assertTrue(report.elapsedNanos() < TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS), report.toString());
        assertFalse(stuck.isCancelled(), "drain.cancel=false leaves the task running");
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void moreThreadsRunMoreTasksAtOnceAndTheNewThreadsInheritNothingOfTheApplicationsThread() throws Exception {
        TaskRuntime runtime = runtime("executor.threads=1");
        APPLICATION_STATE.set("the application's");
        runtime.applySettings(given("waituntil.executor.threads", "4"), problems::add);
        assertEquals(4, runtime.config().number(Setting.EXECUTOR_THREADS));

        CountDownLatch allRunning = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> inherited = new AtomicReference<>();
        List<CompletableFuture<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(runtime.run(
                    "t" + i,
                    () -> {
                        if (APPLICATION_STATE.get() != null) {
                            inherited.set(APPLICATION_STATE.get());
                        }
                        allRunning.countDown();
                        try {
                            release.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    runtime.jvm(),
                    null,
                    null));
        }
        try {
            assertTrue(allRunning.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "four tasks ran at once on four threads");
        } finally {
            release.countDown();
        }
        CompletableFuture.allOf(tasks.toArray(new CompletableFuture<?>[0])).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertNull(inherited.get(), "a worker inherited the inheritable thread-local of the thread that applied");
    }

    @Test
    void aWatchdogOffAtTheStartIsStartedByAGivenThresholdAndNamesTheTask() throws Exception {
        TaskRuntime runtime = runtime("task.warnAfter=0", "task.errorAfter=0", "task.timeout=0");
        runtime.register("slow-report", new CompletableFuture<Void>(), runtime.jvm(), null);
        runtime.applySettings(given("waituntil.task.warnAfter", "100ms"), problems::add);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (log.warnings().stream().noneMatch(l -> l.contains("slow-report")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(
                log.warnings().stream().anyMatch(l -> l.contains("slow-report")),
                log.lines().toString());
        assertEquals(Duration.ofMillis(100), runtime.config().duration(Setting.TASK_WARN_AFTER));
    }

    @Test
    void aSettingUsedAtTheStartIsReportedAndKept() {
        TaskRuntime runtime = runtime();
        runtime.applySettings(given("waituntil.executor.queue", "5"), problems::add);
        assertEquals(10_000, runtime.config().number(Setting.EXECUTOR_QUEUE));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("-Dwaituntil.executor.queue=5"), problems.get(0));
    }
}
