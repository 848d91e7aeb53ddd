package dev.waituntil.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.ScriptedRuntime;
import dev.waituntil.TaskOutcome;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several applications, as in a container with the agent: scripted, since a unit test has one application only. The
 * same in both test runs (the scripted runtime replaces whichever is in force).
 */
class WaitUntilMetricsApplicationsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ScriptedRuntime runtime;
    private WaitUntilMetrics metrics;

    @BeforeEach
    void scriptedRuntime() {
        runtime = ScriptedRuntime.install("/shop");
        runtime.counts("JVM", 1, 0, 0, 0, 0);
        runtime.counts("/shop", 5, 2, 1, 0, 3);
    }

    @AfterEach
    void tearDown() {
        if (metrics != null) {
            metrics.close();
        }
        runtime.close();
    }

    @Test
    void everyApplicationListedAtBindHasItsMetersWithItsCounts() {
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertEquals(set("JVM", "/shop"), applicationsOf("waituntil.tasks.pending"));
        assertEquals(set("JVM", "/shop"), applicationsOf("waituntil.task.duration"));
        assertEquals(set("JVM", "/shop"), applicationsOf("waituntil.drain.duration"));
        assertEquals(3, gauge("/shop").value());
        assertEquals(5, counter("/shop", TaskOutcome.COMPLETED).count());
        assertEquals(2, counter("/shop", TaskOutcome.FAILED).count());
        assertEquals(1, counter("/shop", TaskOutcome.CANCELLED).count());
        assertEquals(0, counter("/shop", TaskOutcome.REJECTED).count());
        assertEquals(1, counter("JVM", TaskOutcome.COMPLETED).count());
    }

    @Test
    void anApplicationFirstSeenAfterBindGetsItsMetersAtItsFirstEvent() {
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertNull(timer("waituntil.task.duration", "/admin"));
        runtime.counts("/admin", 0, 0, 0, 0, 1);
        runtime.taskStarted("/admin");
        assertNotNull(gauge("/admin"), registry::getMetersAsString);
        assertEquals(1, gauge("/admin").value());
        runtime.counts("/admin", 0, 1, 0, 0, 0);
        runtime.taskEnded("/admin", TaskOutcome.FAILED, Duration.ofMillis(250));
        assertEquals(1, counter("/admin", TaskOutcome.FAILED).count());
        assertEquals(1, timer("waituntil.task.duration", "/admin").count());
        assertEquals(
                250, timer("waituntil.task.duration", "/admin").totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));
        runtime.drainEnded("/admin", Duration.ofSeconds(2));
        assertEquals(1, timer("waituntil.drain.duration", "/admin").count());
        assertEquals(0, timer("waituntil.drain.duration", "/shop").count(), "each application its own timers");
    }

    @Test
    void aDrainedApplicationThatLeavesTheListKeepsItsCountsAndPendsNothing() {
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertEquals(2, counter("/shop", TaskOutcome.FAILED).count());
        runtime.forget("/shop");
        assertEquals(2, counter("/shop", TaskOutcome.FAILED).count(), "a counter never goes back");
        assertEquals(0, gauge("/shop").value());
    }

    /**
     * The agent names an application by its class loader until its first request gives it its context path: the old
     * name leaves the list as the new one appears, and its series must go rather than stay frozen beside the new.
     */
    @Test
    void anApplicationRenamedByTheRuntimeLeavesNoFrozenSeriesBehind() {
        runtime.counts("LaunchedClassLoader@1b2c3d", 0, 0, 0, 0, 1);
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertNotNull(gauge("LaunchedClassLoader@1b2c3d"), registry::getMetersAsString);

        runtime.forget("LaunchedClassLoader@1b2c3d");
        runtime.counts("/", 1, 0, 0, 0, 1);
        runtime.taskStarted("/");

        assertNull(gauge("LaunchedClassLoader@1b2c3d"), registry::getMetersAsString);
        assertNull(timer("waituntil.task.duration", "LaunchedClassLoader@1b2c3d"), registry::getMetersAsString);
        assertEquals(1, gauge("/").value());
        assertEquals(1, counter("/", TaskOutcome.COMPLETED).count());
        assertEquals(2, counter("/shop", TaskOutcome.FAILED).count(), "an application still listed keeps its meters");
    }

    @Test
    void anApplicationWithoutATaskYetGetsItsMetersAtItsFirst() {
        runtime.counts("LaunchedClassLoader@1b2c3d", 0, 0, 0, 0, 0);
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertNull(gauge("LaunchedClassLoader@1b2c3d"), registry::getMetersAsString);
        runtime.counts("LaunchedClassLoader@1b2c3d", 0, 0, 0, 0, 1);
        runtime.taskStarted("LaunchedClassLoader@1b2c3d");
        assertEquals(1, gauge("LaunchedClassLoader@1b2c3d").value());
    }

    @Test
    void theCallersApplicationOnly() {
        metrics = WaitUntilMetrics.ofCallersApplication();
        metrics.bindTo(registry);
        assertEquals(set("/shop"), applicationsOf("waituntil.tasks.pending"));
        runtime.taskEnded("JVM", TaskOutcome.COMPLETED, Duration.ofMillis(1));
        assertEquals(set("/shop"), applicationsOf("waituntil.task.duration"), "it does not hear other applications");
        runtime.taskEnded("/shop", TaskOutcome.COMPLETED, Duration.ofMillis(1));
        assertEquals(1, timer("waituntil.task.duration", "/shop").count());
    }

    @Test
    void twoRegistriesBothGetEveryMeterAndEveryRecording() {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        metrics.bindTo(other);
        metrics.bindTo(other); // twice to one registry: no second set of meters, no double recording
        runtime.taskEnded("/shop", TaskOutcome.COMPLETED, Duration.ofMillis(1));
        assertEquals(1, timer("waituntil.task.duration", "/shop").count());
        assertEquals(
                1,
                other.find("waituntil.task.duration")
                        .tag("application", "/shop")
                        .timer()
                        .count());
        assertEquals(registry.getMeters().size(), other.getMeters().size());
        metrics.close();
        assertTrue(registry.getMeters().isEmpty());
        assertTrue(other.getMeters().isEmpty());
        assertEquals(0, runtime.listeners(), "closing removes the listener from the runtime");
    }

    @Test
    void againstAnAgentThatKeepsNoCountsTheFirstEventRegistersAndCountersReadZero() {
        runtime.forget("JVM");
        runtime.forget("/shop");
        metrics = new WaitUntilMetrics();
        metrics.bindTo(registry);
        assertTrue(registry.getMeters().isEmpty(), registry::getMetersAsString);
        runtime.taskEnded("/shop", TaskOutcome.COMPLETED, Duration.ofMillis(1));
        assertEquals(0, counter("/shop", TaskOutcome.COMPLETED).count());
        assertEquals(1, timer("waituntil.task.duration", "/shop").count());
    }

    private Set<String> applicationsOf(String name) {
        Set<String> applications = new HashSet<>();
        registry.find(name).meters().forEach(m -> applications.add(m.getId().getTag("application")));
        return applications;
    }

    private static Set<String> set(String... values) {
        return new HashSet<>(java.util.Arrays.asList(values));
    }

    private Gauge gauge(String application) {
        return registry.find("waituntil.tasks.pending")
                .tag("application", application)
                .gauge();
    }

    private FunctionCounter counter(String application, TaskOutcome outcome) {
        return registry.find("waituntil.tasks")
                .tag("application", application)
                .tag("outcome", outcome.tag())
                .functionCounter();
    }

    private Timer timer(String name, String application) {
        return registry.find(name).tag("application", application).timer();
    }
}
