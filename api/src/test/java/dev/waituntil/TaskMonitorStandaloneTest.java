package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The observation surface in standalone mode: the same events, lists and counts as with the agent. */
class TaskMonitorStandaloneTest {

    private static final long PATIENCE_SECONDS = 60;

    private StandaloneBackend backend;
    private final Recording recording = new Recording();

    @BeforeEach
    void useFreshStandaloneBackend() {
        backend = new StandaloneBackend(false);
        WaitUntil.use(backend);
    }

    @AfterEach
    void restore() {
        backend.drain(0);
        WaitUntil.use(null);
    }

    /** Everything a listener hears, as text, plus the events themselves. */
    static final class Recording implements TaskListener {
        final List<String> heard = new CopyOnWriteArrayList<>();
        final List<TaskStarted> started = new CopyOnWriteArrayList<>();
        final List<TaskEnded> ended = new CopyOnWriteArrayList<>();

        @Override
        public void taskStarted(TaskStarted event) {
            started.add(event);
            heard.add("started " + event.label());
        }

        @Override
        public void taskEnded(TaskEnded event) {
            ended.add(event);
            heard.add(event.outcome().tag() + " " + event.label());
        }

        @Override
        public void drainEnded(DrainEnded event) {
            heard.add("drained " + event.application() + (event.reachedDeadline() ? " at its deadline" : ""));
        }
    }

    @Test
    void aListenerHearsEveryStartAndEndWithItsOutcome() throws Exception {
        TaskSubscription subscription = TaskMonitor.addListener(recording);
        assertTrue(subscription.isActive());
        CompletableFuture<String> ok = WaitUntil.register("ok", new CompletableFuture<String>());
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> bad = WaitUntil.register("bad", new CompletableFuture<Object>());
        CompletableFuture<Object> stopped = WaitUntil.register("stopped", new CompletableFuture<Object>());
        ok.complete("done");
        bad.completeExceptionally(boom);
        stopped.cancel(true);
        assertEquals(
                java.util.Arrays.asList(
                        "started ok",
                        "started bad",
                        "started stopped",
                        "completed ok",
                        "failed bad",
                        "cancelled stopped"),
                recording.heard);
        TaskEnded failed = recording.ended.get(1);
        assertSame(boom, failed.failure());
        assertEquals("JVM", failed.application());
        assertNull(recording.ended.get(0).failure());
        assertFalse(failed.duration().isNegative());
        assertEquals(recording.started.get(1).id(), failed.id());
    }

    @Test
    void theStartEventsHandleCompletesWithTheEnd() throws Exception {
        TaskMonitor.addListener(recording);
        CompletableFuture<Void> work = WaitUntil.run("work", () -> {});
        work.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        TaskEnded end = recording.started.get(0).end().toCompletableFuture().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertEquals(TaskOutcome.COMPLETED, end.outcome());
        assertEquals("work", end.label());
    }

    @Test
    void aPlainFutureEndsWhenSeenDone() throws Exception {
        TaskMonitor.addListener(recording);
        FutureTask<String> plain = new FutureTask<>(() -> {
            throw new IllegalArgumentException("plain");
        });
        WaitUntil.register("plain", plain);
        plain.run();
        assertEquals(0, WaitUntil.pending());
        assertEquals(java.util.Arrays.asList("started plain", "failed plain"), recording.heard);
        assertTrue(recording.ended.get(0).failure() instanceof IllegalArgumentException);
    }

    @Test
    void aRejectionAndTheDrainAreHeard() {
        TaskMonitor.addListener(recording);
        backend.drain(TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS), "the test drains it");
        assertThrows(RejectedTaskException.class, () -> WaitUntil.register("late", new CompletableFuture<>()));
        assertEquals(java.util.Arrays.asList("drained JVM", "rejected late"), recording.heard);
    }

    @Test
    void pendingTasksAndStatistics() {
        CompletableFuture<Object> first = WaitUntil.register("first", new CompletableFuture<>());
        WaitUntil.register("second", new CompletableFuture<>());
        first.complete(null);
        List<PendingTask> pending = TaskMonitor.pendingTasks();
        assertEquals(1, pending.size());
        assertEquals("second", pending.get(0).label());
        assertNull(pending.get(0).request());
        assertEquals(1, TaskMonitor.pendingTasksOfEveryApplication().size());
        TaskStatistics counts = TaskMonitor.statistics();
        assertEquals(2, counts.registered());
        assertEquals(1, counts.completed());
        assertEquals(1, counts.pending());
        assertEquals("JVM", counts.application());
        assertEquals(1, TaskMonitor.statisticsOfEveryApplication().size());
    }

    @Test
    void aThrowingListenerBreaksNothingAndIsLoggedOnce() {
        TaskMonitor.addListener(new TaskListener() {
            @Override
            public void taskStarted(TaskStarted event) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void taskEnded(TaskEnded event) {
                throw new IllegalStateException("listener bug");
            }
        });
        TaskMonitor.addListener(recording);
        try (CapturedLog log = new CapturedLog()) {
            CompletableFuture<Object> a = WaitUntil.register("a", new CompletableFuture<>());
            CompletableFuture<Object> b = WaitUntil.register("b", new CompletableFuture<>());
            a.complete(null);
            b.complete(null);
            assertEquals(0, WaitUntil.pending());
            assertEquals(
                    java.util.Arrays.asList("started a", "started b", "completed a", "completed b"), recording.heard);
            long lines = log.messages().stream()
                    .filter(m -> m.contains("a task listener"))
                    .count();
            assertEquals(1, lines, () -> String.valueOf(log.messages()));
        }
    }

    @Test
    void aClosedListenerHearsNothingMore() {
        TaskSubscription subscription = TaskMonitor.addListener(recording);
        subscription.close();
        subscription.close();
        assertFalse(subscription.isActive());
        WaitUntil.register("unheard", new CompletableFuture<>()).complete(null);
        assertTrue(recording.heard.isEmpty(), String.valueOf(recording.heard));
    }

    @Test
    void withNoListenerATaskCarriesNoEndHandle() {
        StandaloneEvents events = new StandaloneEvents();
        StandaloneTask task = new StandaloneTask(
                1,
                "quiet",
                new CompletableFuture<>(),
                java.util.concurrent.ConcurrentHashMap.<StandaloneTask>newKeySet(),
                events);
        events.started(task);
        assertNull(task.end);
        events.add(recording);
        StandaloneTask heard = new StandaloneTask(
                2,
                "heard",
                new CompletableFuture<>(),
                java.util.concurrent.ConcurrentHashMap.<StandaloneTask>newKeySet(),
                events);
        events.started(heard);
        assertTrue(heard.end != null);
    }

    @Test
    void aNullListenerIsRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> TaskMonitor.addListener(null));
        assertTrue(e.getMessage().contains("listener"));
    }
}
