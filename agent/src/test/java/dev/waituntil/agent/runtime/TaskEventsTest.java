package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Config;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime's events for listeners, per application counts, and the listeners' life. */
class TaskEventsTest {

    private static final long PATIENCE_SECONDS = 60;

    private final TaskRuntime runtime = new TaskRuntime(Config.defaults());
    private final ClassLoader shop = new URLClassLoader(new URL[0], getClass().getClassLoader());
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final List<Object[]> events = new CopyOnWriteArrayList<>();
    private final Consumer<Object[]> recorder = e -> {
        events.add(e);
        heard.add(e[0] + " " + e[1] + (e[3] != null ? " " + e[3] : "") + (e[0].equals("ended") ? " " + e[5] : ""));
    };

    @AfterEach
    void stop() {
        runtime.shutdownExecutor();
    }

    @Test
    void startsAndEndsWithTheirOutcomes() throws Exception {
        Scope app = runtime.scopeOf(shop);
        app.rename("/shop");
        runtime.events().add(recorder, app, true);
        CompletableFuture<Object> ok = new CompletableFuture<>();
        CompletableFuture<Object> bad = new CompletableFuture<>();
        CompletableFuture<Object> stopped = new CompletableFuture<>();
        runtime.register("ok", ok, app, new RequestInfo("GET", "/orders", 12));
        runtime.register("bad", bad, app, null);
        runtime.register("stopped", stopped, runtime.jvm(), null);
        IllegalStateException boom = new IllegalStateException("boom");
        ok.complete(1);
        bad.completeExceptionally(boom);
        stopped.cancel(true);
        assertEquals(
                Arrays.asList(
                        "started /shop ok",
                        "started /shop bad",
                        "started JVM stopped",
                        "ended /shop ok completed",
                        "ended /shop bad failed",
                        "ended JVM stopped cancelled"),
                heard);
        Object[] started = events.get(0);
        assertEquals("GET /orders (request 12)", started[4]);
        Object[] endOfOk = events.get(3);
        assertSame(endOfOk, ((CompletableFuture<?>) started[5]).get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        assertTrue((Long) endOfOk[6] >= 0);
        assertNull(endOfOk[7]);
        assertSame(boom, events.get(4)[7]);
    }

    @Test
    void aListenerOfItsOwnApplicationHearsOnlyThat() {
        Scope app = runtime.scopeOf(shop);
        runtime.events().add(recorder, app, false);
        runtime.register("elsewhere", new CompletableFuture<>(), runtime.jvm(), null);
        runtime.register("here", new CompletableFuture<>(), app, null);
        assertEquals(Arrays.asList("started " + app.name() + " here"), heard);
    }

    @Test
    void runWorkAndRejectionsAreHeard() throws Exception {
        Scope app = runtime.scopeOf(shop);
        runtime.events().add(recorder, runtime.jvm(), true);
        runtime.run("work", () -> {}, app, null, null).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        runtime.drain(app, Duration.ofSeconds(PATIENCE_SECONDS));
        assertThrows(
                RejectedExecutionException.class, () -> runtime.register("late", new CompletableFuture<>(), app, null));
        // the end of run work is told on the worker thread, before its future completes the caller's get
        assertEquals(
                Arrays.asList(
                        "started " + app.name() + " work",
                        "ended " + app.name() + " work completed",
                        "drained " + app.name(),
                        "ended " + app.name() + " late rejected"),
                heard);
        assertEquals(false, events.get(2)[5]);
        assertEquals(0L, events.get(3)[6], "a rejected task took no time");
        assertEquals(1, app.registeredCount());
        assertEquals(1, app.completedCount());
        assertEquals(1, app.rejectedCount());
        assertEquals(0, runtime.jvm().registeredCount());
        assertEquals(1, runtime.registeredCount());
    }

    @Test
    void aListenerIsDroppedWhenTheApplicationThatAddedItIsDrained() {
        Scope app = runtime.scopeOf(shop);
        runtime.events().add(recorder, app, true);
        runtime.drain(app, Duration.ofSeconds(PATIENCE_SECONDS));
        heard.clear();
        runtime.register("after", new CompletableFuture<>(), runtime.jvm(), null);
        assertTrue(heard.isEmpty(), String.valueOf(heard));
        assertTrue(!runtime.events().active(), "the drained application's listener is still held");
    }

    @Test
    void closingRemovesAListener() throws Exception {
        AutoCloseable handle = runtime.events().add(recorder, runtime.jvm(), true);
        handle.close();
        handle.close();
        runtime.register("unheard", new CompletableFuture<>(), runtime.jvm(), null);
        assertTrue(heard.isEmpty(), String.valueOf(heard));
    }

    @Test
    void withNoListenerATaskCarriesNoEndHandle() {
        TrackedTask quiet = runtime.register("quiet", new CompletableFuture<>(), runtime.jvm(), null);
        assertNull(quiet.endSignal());
        runtime.events().add(recorder, runtime.jvm(), true);
        TrackedTask heardOf = runtime.register("heard", new CompletableFuture<>(), runtime.jvm(), null);
        assertNotNull(heardOf.endSignal());
    }

    /** The events' share of a task's cost when nobody listens: nothing allocated. The control listens, and allocates. */
    @Test
    void withNoListenerEventsAllocateNothing() {
        TaskEvents quiet = new TaskEvents();
        TrackedTask task = runtime.register("measured", new CompletableFuture<>(), runtime.jvm(), null);
        assertTrue(allocatedBy(quiet, task) < 4096, "events with no listener allocated");
        TaskEvents listened = new TaskEvents();
        listened.add(e -> {}, runtime.jvm(), true);
        assertTrue(allocatedBy(listened, task) > 100_000, "the control: events with a listener are records");
    }

    private static long allocatedBy(TaskEvents events, TrackedTask task) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) { // warm up
            events.started(task);
            task.endSignal(null);
            events.ended(task, TaskCompletion.COMPLETED, null, true);
        }
        long start = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            events.started(task);
            task.endSignal(null);
            events.ended(task, TaskCompletion.COMPLETED, null, true);
        }
        return threads.getThreadAllocatedBytes(id) - start;
    }

    @Test
    void aThrowingListenerBreaksNeitherTheTaskNorOtherListenersAndIsLoggedOnce() {
        runtime.events()
                .add(
                        e -> {
                            throw new IllegalStateException("listener bug");
                        },
                        runtime.jvm(),
                        true);
        runtime.events().add(recorder, runtime.jvm(), true);
        try (CapturedLog log = new CapturedLog()) {
            CompletableFuture<Object> a = new CompletableFuture<>();
            runtime.register("a", a, runtime.jvm(), null);
            runtime.register("b", new CompletableFuture<>(), runtime.jvm(), null);
            a.complete(null);
            assertEquals(1, runtime.pending(runtime.jvm()));
            assertEquals(3, heard.size(), String.valueOf(heard));
            long lines = log.lines().stream()
                    .filter(l -> l.contains("task listener"))
                    .count();
            assertEquals(1, lines, String.valueOf(log.lines()));
        }
    }
}
