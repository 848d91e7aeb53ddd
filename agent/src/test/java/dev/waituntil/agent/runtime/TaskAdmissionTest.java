package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskAdmissionTest {

    private final TaskCounters counters = new TaskCounters();
    private final DrainSignal signal = new DrainSignal();
    private final TaskExecutor executor = new TaskExecutor(1, 1);
    private final TaskAdmission admission =
            new TaskAdmission(executor, new TaskCompletion(counters, signal, false), counters, signal, false);
    private final Scope scope = Scope.root();

    @AfterEach
    void stopExecutor() {
        executor.shutdown();
    }

    @Test
    void aStageIsAdmittedCountedAndLeavesItsScopeWhenItCompletes() {
        CompletableFuture<String> future = new CompletableFuture<>();
        TrackedTask task = admission.register("mail", future, scope, null);
        assertSame(scope, task.scope());
        assertEquals(1, scope.pendingCount());
        assertTrue(scope.plainFutures.isEmpty(), "a stage reports its own end");
        assertEquals(1, counters.registeredCount());
        future.complete("sent");
        assertEquals(0, scope.pendingCount());
    }

    @Test
    void aPlainFutureIsAdmittedForDrainsToWaitOn() {
        TrackedTask task = admission.register("legacy", new FutureTask<Void>(() -> null), scope, null);
        assertTrue(task.isPlainFuture());
        assertTrue(scope.plainFutures.contains(task));
    }

    @Test
    void onlyFuturesAndStagesAreAdmitted() {
        assertThrows(NullPointerException.class, () -> admission.register("none", null, scope, null));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> admission.register("text", "not a future", scope, null));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
        assertEquals(0, counters.registeredCount());
    }

    @Test
    void aDrainedScopeRefusesNamingTheTaskAndWhy() {
        scope.drainedFor = "a test";
        scope.state = Scope.State.DRAINED;
        AtomicBoolean ran = new AtomicBoolean();
        RejectedExecutionException e = assertThrows(
                RejectedExecutionException.class,
                () -> admission.register("late", new CompletableFuture<Void>(), scope, null));
        assertEquals(
                "wait-until rejected task 'late': the JVM has been drained for a test; no new background work "
                        + "is accepted",
                e.getMessage());
        assertThrows(
                RejectedExecutionException.class,
                () -> admission.run("late run", () -> ran.set(true), scope, null, null));
        assertEquals(2, counters.rejectedCount());
        assertEquals(0, counters.registeredCount());
        assertEquals(0, scope.pendingCount(), "a refused task leaves nothing behind");
        assertFalse(ran.get());
    }

    @Test
    void workTheExecutorRefusesIsRefusedAndNotKept() {
        executor.shutdown();
        AtomicBoolean ran = new AtomicBoolean();
        RejectedExecutionException e = assertThrows(
                RejectedExecutionException.class,
                () -> admission.supply("report", () -> ran.getAndSet(true), scope, null, null));
        assertEquals("wait-until rejected task 'report': the executor has been shut down", e.getMessage());
        assertEquals(1, counters.rejectedCount());
        assertEquals(0, scope.pendingCount());
        assertFalse(ran.get());
    }

    @Test
    void idsCountFromOneOnAThreadAndStayUniqueAcrossThreads() throws Exception {
        for (int i = 1; i <= 3; i++) {
            CompletableFuture<Void> future = new CompletableFuture<>();
            assertEquals(i, admission.register(null, future, scope, null).id());
            future.complete(null);
        }
        int threads = 4;
        int each = 1000;
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        CompletableFuture<Void> future = new CompletableFuture<>();
                        ids.add(admission.register(null, future, scope, null).id());
                        future.complete(null);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * each, ids.size(), "every id unique");
        assertFalse(ids.contains(1L) || ids.contains(2L) || ids.contains(3L), "nor reused from this thread's");
        assertEquals(0, scope.pendingCount());
    }

    @Test
    void eachThreadKeepsOneStripeFromBlockToBlockAndTheFirstThreadsEachHaveTheirOwn() throws Exception {
        int threads = PendingTasks.STRIPES;
        int each = 3 * TaskAdmission.ID_BLOCK; // three blocks each
        List<Set<Long>> stripesOfEachThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Set<Long> stripes = ConcurrentHashMap.newKeySet();
            stripesOfEachThread.add(stripes);
            Thread thread = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    CompletableFuture<Void> future = new CompletableFuture<>();
                    long id = admission.register(null, future, scope, null).id();
                    stripes.add(((id - 1) / TaskAdmission.ID_BLOCK) % PendingTasks.STRIPES);
                    future.complete(null);
                }
            });
            thread.start();
            thread.join(60_000);
        }
        Set<Long> all = new java.util.HashSet<>();
        for (Set<Long> stripes : stripesOfEachThread) {
            assertEquals(1, stripes.size(), "one stripe for all of a thread's blocks: " + stripes);
            all.addAll(stripes);
        }
        assertEquals(threads, all.size(), "a stripe of its own for each of the first " + threads + " threads");
    }
}
