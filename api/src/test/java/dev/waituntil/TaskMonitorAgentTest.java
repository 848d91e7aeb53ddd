package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The observation surface through the bridge: the agent's records read into this API copy's types, and an older agent. */
class TaskMonitorAgentTest {

    @BeforeEach
    void reset() {
        FakeObservingBridge.listeners.clear();
        FakeObservingBridge.calls.clear();
        FakeBridge.installed = true;
        FakeBridge.refuseWith = null;
    }

    @AfterEach
    void restore() {
        WaitUntil.use(null);
    }

    @Test
    void pendingTasksAndStatisticsAreReadFromTheBridgesRecords() {
        WaitUntil.use(AgentBackend.bind(FakeObservingBridge.class, null));
        List<PendingTask> pending = TaskMonitor.pendingTasksOfEveryApplication();
        assertEquals(1, pending.size());
        PendingTask task = pending.get(0);
        assertEquals("/shop", task.application());
        assertEquals(7, task.id());
        assertEquals("send receipt", task.label());
        assertEquals("GET /orders (request 12)", task.request());
        assertEquals(Duration.ofMillis(1500), task.age());
        assertEquals(Duration.ofMillis(1500), TaskMonitor.oldestPendingAge());
        TaskStatistics counts = TaskMonitor.statistics();
        assertEquals(5, counts.registered());
        assertEquals(2, counts.completed());
        assertEquals(Duration.ofMillis(2), counts.oldestPendingAge());
        assertEquals(
                Arrays.asList("pendingTasks true", "pendingTasks false", "statistics false"),
                FakeObservingBridge.calls);
    }

    @Test
    void theBridgesEventsReachTheListenerAsThisCopysTypes() throws Exception {
        WaitUntil.use(AgentBackend.bind(FakeObservingBridge.class, null));
        List<Object> heard = new CopyOnWriteArrayList<>();
        TaskSubscription subscription = TaskMonitor.addListenerToEveryApplication(new TaskListener() {
            @Override
            public void taskStarted(TaskStarted event) {
                heard.add(event);
            }

            @Override
            public void taskEnded(TaskEnded event) {
                heard.add(event);
            }

            @Override
            public void drainEnded(DrainEnded event) {
                heard.add(event);
            }
        });
        assertTrue(subscription.isActive());
        assertEquals(Arrays.asList("addListener true"), FakeObservingBridge.calls);

        CompletableFuture<Object[]> end = new CompletableFuture<>();
        FakeObservingBridge.publish(new Object[] {"started", "/shop", 3L, "mail", null, end});
        RuntimeException boom = new RuntimeException("boom");
        Object[] ended = {"ended", "/shop", 3L, "mail", null, "failed", 2_000_000L, boom};
        FakeObservingBridge.publish(ended);
        FakeObservingBridge.publish(new Object[] {"drained", "/shop", 0L, null, null, true, 5_000_000L});
        FakeObservingBridge.publish(new Object[] {"a kind of a newer agent", "/shop", 0L, null, null});
        end.complete(ended);

        assertEquals(3, heard.size(), String.valueOf(heard));
        TaskStarted started = (TaskStarted) heard.get(0);
        assertEquals("mail", started.label());
        TaskEnded viaHandle = started.end().toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertEquals(TaskOutcome.FAILED, viaHandle.outcome());
        assertSame(boom, viaHandle.failure());
        TaskEnded taskEnded = (TaskEnded) heard.get(1);
        assertEquals(Duration.ofMillis(2), taskEnded.duration());
        DrainEnded drained = (DrainEnded) heard.get(2);
        assertTrue(drained.reachedDeadline());
        assertEquals(Duration.ofMillis(5), drained.duration());

        subscription.close();
        assertFalse(subscription.isActive());
        assertTrue(FakeObservingBridge.listeners.isEmpty());
    }

    /** A new copy of the API in a JVM whose agent predates observation: FakeBridge has only the first methods. */
    @Test
    void againstAnOlderAgentObservationDegradesWithOneWarning() {
        WaitUntil.use(AgentBackend.bind(FakeBridge.class, null));
        try (CapturedLog log = new CapturedLog()) {
            assertTrue(TaskMonitor.pendingTasks().isEmpty());
            assertTrue(TaskMonitor.statisticsOfEveryApplication().isEmpty());
            UnsupportedOperationException e =
                    assertThrows(UnsupportedOperationException.class, TaskMonitor::statistics);
            assertTrue(e.getMessage().contains("older than this API"), e.getMessage());
            TaskSubscription subscription = TaskMonitor.addListener(new TaskListener() {});
            assertFalse(subscription.isActive());
            subscription.close();
            // what the older agent offers still works
            assertEquals(7, WaitUntil.pending());
            WaitUntil.register("still tracked", new CompletableFuture<>());
            assertTrue(log.messages().size() <= 1, String.valueOf(log.messages()));
        }
    }
}
