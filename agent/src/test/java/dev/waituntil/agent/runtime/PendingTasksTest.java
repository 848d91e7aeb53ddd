package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingTasksTest {

    private final TaskCompletion completion = new TaskCompletion(new TaskCounters(), new DrainSignal(), false);
    private final Scope scope = Scope.root();
    private final PendingTasks pending = new PendingTasks();

    private TrackedTask task(long id) {
        return new TrackedTask(completion, id, "task " + id, new CompletableFuture<Void>(), scope, null);
    }

    @Test
    void tasksComeAndGoInAnyOrderAcrossStripes() {
        List<TrackedTask> tasks = new ArrayList<>();
        for (long id = 1; id <= 300; id++) { // several blocks of ids, so several stripes
            TrackedTask t = task(id);
            tasks.add(t);
            pending.add(t);
        }
        assertEquals(300, pending.size());
        assertEquals(new HashSet<>(tasks), new HashSet<>(new ArrayList<>(pending)));
        for (int i = 0; i < tasks.size(); i += 3) { // heads, middles and tails of the lists
            assertTrue(pending.remove(tasks.get(i)));
        }
        assertEquals(200, pending.size());
        assertFalse(pending.remove(tasks.get(0)), "removed already");
        assertFalse(pending.contains(tasks.get(0)));
        assertTrue(pending.contains(tasks.get(1)));
        for (TrackedTask t : pending) {
            assertTrue(pending.remove(t), "iteration goes over a copy: its tasks can be removed meanwhile");
        }
        assertTrue(pending.isEmpty());
        assertEquals(0, pending.size());
        assertFalse(pending.iterator().hasNext());
    }

    @Test
    void aTaskOfNoListIsNotRemoved() {
        TrackedTask here = task(1);
        pending.add(here);
        assertFalse(pending.remove(task(2)));
        assertFalse(pending.remove((Object) "not a task"));
        assertEquals(1, pending.size());
    }

    @Test
    void threadsAddingAndRemovingAtOnceLeaveItConsistent() throws Exception {
        int threads = 4;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<TrackedTask>>> kept = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                long base = 1 + (long) t * each;
                kept.add(pool.submit(() -> {
                    start.await();
                    List<TrackedTask> left = new ArrayList<>();
                    TrackedTask previous = null;
                    for (int i = 0; i < each; i++) {
                        TrackedTask t2 = task(base + i);
                        pending.add(t2);
                        if (previous != null && i % 2 == 0) {
                            assertTrue(pending.remove(previous));
                        } else if (previous != null) {
                            left.add(previous);
                        }
                        previous = t2;
                    }
                    left.add(previous);
                    return left;
                }));
            }
            start.countDown();
            int left = 0;
            for (Future<List<TrackedTask>> f : kept) {
                for (TrackedTask t : f.get(60, TimeUnit.SECONDS)) {
                    assertTrue(pending.contains(t));
                    left++;
                }
            }
            assertEquals(left, pending.size());
            assertEquals(left, new ArrayList<>(pending).size());
        } finally {
            pool.shutdownNow();
        }
    }
}
