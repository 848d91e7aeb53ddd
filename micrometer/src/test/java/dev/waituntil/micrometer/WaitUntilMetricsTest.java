package dev.waituntil.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.waituntil.RejectedTaskException;
import dev.waituntil.StandaloneRuntime;
import dev.waituntil.TaskMonitor;
import dev.waituntil.TaskOutcome;
import dev.waituntil.WaitUntil;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The meters against the runtime in force: standalone (a fresh one per test) in the default test run, the agent's in
 * the with-agent run, where the counts are shared with every other test of the JVM and so are compared as deltas.
 */
class WaitUntilMetricsTest {

    private static final boolean AGENT = Boolean.getBoolean("waituntil.micrometer.expectAgent");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private StandaloneRuntime standalone;
    private WaitUntilMetrics metrics;
    /** The application the test thread's tasks belong to, as the runtime names it. */
    private String application;

    @BeforeEach
    void setUp() {
        assertEquals(AGENT, WaitUntil.isAgentActive(), "the test run attaches the agent or does not");
        if (!AGENT) {
            standalone = StandaloneRuntime.install();
        }
        // The binder registers an application's meters once it has had a task: at bind for this one.
        WaitUntil.register("seen before binding", CompletableFuture.completedFuture(null));
        application = TaskMonitor.statistics().application();
        System.out.println("wait-until-micrometer test: the test thread's application is '" + application + "'"
                + (AGENT ? " (with the agent)" : " (standalone)"));
    }

    @AfterEach
    void tearDown() {
        if (metrics != null) {
            metrics.close();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void everyMeterIsPresentForTheApplicationsSeenAtBind() {
        WaitUntil.register("before binding", new CompletableFuture<>()).complete("done");
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertNotNull(pendingGauge(), () -> registry.getMetersAsString());
        for (TaskOutcome outcome : TaskOutcome.values()) {
            assertNotNull(counter(outcome), outcome::tag);
        }
        assertNotNull(taskTimer());
        assertNotNull(drainTimer());
        if (!AGENT) {
            assertEquals("JVM", application, "standalone mode names no application but the JVM");
            assertEquals(
                    2, counter(TaskOutcome.COMPLETED).count(), "the counts include the set-up's and this test's task");
        }
    }

    @Test
    void aFailingTaskCountsAsFailedAndIsTimed() {
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        double failedBefore = counter(TaskOutcome.FAILED).count();
        long timedBefore = taskTimer().count();
        CompletableFuture<Object> task = WaitUntil.register("fails", new CompletableFuture<>());
        task.completeExceptionally(new IllegalStateException("the test fails it"));
        assertEquals(failedBefore + 1, counter(TaskOutcome.FAILED).count());
        assertEquals(timedBefore + 1, taskTimer().count());
    }

    @Test
    void thePendingGaugeFollowsAPendingTask() {
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        double before = pendingGauge().value();
        CompletableFuture<Object> task = WaitUntil.register("pending", new CompletableFuture<>());
        assertEquals(before + 1, pendingGauge().value());
        task.complete(null);
        assertEquals(before, pendingGauge().value());
    }

    @Test
    void aDrainIsTimedAndARefusalCounted() {
        assumeFalse(AGENT, "the agent drains when a container or the JVM stops, which a unit test cannot do");
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        // Completed on this thread, so that its end event has been heard before the drain: the end of a task
        // run on the runtime's executor is heard on that executor's thread, possibly after the drain returns.
        WaitUntil.register("short", new CompletableFuture<>()).complete(null);
        standalone.drain();
        assertEquals(1, drainTimer().count(), () -> registry.getMetersAsString());
        assertThrows(RejectedTaskException.class, () -> WaitUntil.register("late", new CompletableFuture<>()));
        assertEquals(1, counter(TaskOutcome.REJECTED).count());
        assertEquals(1, taskTimer().count(), "the refused task never ran and is not timed");
    }

    @Test
    void theCallersApplicationOnlyHasItsMeters() {
        metrics = WaitUntilMetrics.ofCallersApplication();
        metrics.bindTo(registry);
        assertEquals(1, registry.find("waituntil.tasks.pending").gauges().size(), () -> registry.getMetersAsString());
        assertNotNull(pendingGauge());
    }

    @Test
    void closeRemovesTheMetersAndTheListener() {
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertNotNull(taskTimer());
        metrics.close();
        assertTrue(registry.getMeters().isEmpty(), () -> registry.getMetersAsString());
        WaitUntil.register("after close", new CompletableFuture<>()).completeExceptionally(new Exception("x"));
        assertTrue(registry.getMeters().isEmpty(), "no listener is left to register meters again");
        metrics.bindTo(registry);
        assertTrue(registry.getMeters().isEmpty(), "a closed binder binds nothing");
    }

    private Gauge pendingGauge() {
        return registry.find("waituntil.tasks.pending")
                .tag(WaitUntilMetrics.APPLICATION_TAG, application)
                .gauge();
    }

    private FunctionCounter counter(TaskOutcome outcome) {
        return registry.find("waituntil.tasks")
                .tag(WaitUntilMetrics.APPLICATION_TAG, application)
                .tag("outcome", outcome.tag())
                .functionCounter();
    }

    private Timer taskTimer() {
        return registry.find("waituntil.task.duration")
                .tag(WaitUntilMetrics.APPLICATION_TAG, application)
                .timer();
    }

    private Timer drainTimer() {
        return registry.find("waituntil.drain.duration")
                .tag(WaitUntilMetrics.APPLICATION_TAG, application)
                .timer();
    }
}
