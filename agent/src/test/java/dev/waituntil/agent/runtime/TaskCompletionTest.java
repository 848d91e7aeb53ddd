package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskCompletionTest {

    private final TaskCounters counters = new TaskCounters();
    private final TaskCompletion completion = new TaskCompletion(counters, new DrainSignal(), false);
    private final Scope scope = Scope.root();
    private final CapturedLog log = new CapturedLog();

    @AfterEach
    void closeLog() {
        log.close();
    }

    private TrackedTask pending(String label, Object future) {
        TrackedTask task = new TrackedTask(completion, 1, label, future, scope, null);
        scope.tasks.add(task);
        if (task.isPlainFuture()) {
            scope.plainFutures.add(task);
        }
        return task;
    }

    @Test
    void eachEndIsCountedOnceByHowItEndedAndTheTaskLeavesItsScope() {
        TrackedTask ok = pending("ok", new CompletableFuture<Void>());
        completion.completed(ok, null);
        completion.completed(ok, new IllegalStateException("a second report of the same end"));
        assertEquals(1, counters.completedCount());
        assertEquals(0, counters.failedCount());
        assertEquals(0, scope.pendingCount());

        completion.completed(
                pending("broken", new CompletableFuture<Void>()),
                new CompletionException(new IllegalStateException("boom")));
        assertEquals(1, counters.failedCount());
        assertTrue(log.linesContaining("task 'broken'").get(0).contains("failed"));

        completion.completed(pending("stopped", new CompletableFuture<Void>()), new CancellationException());
        assertEquals(1, counters.cancelledCount());
        assertEquals(1, log.linesContaining("task 'stopped' (age").size(), "a cancellation nobody named is logged");
        assertEquals(0, scope.pendingCount());
    }

    @Test
    void aCancellationAlreadyNamedIsNotLoggedAgain() {
        TrackedTask task = pending("named", new CompletableFuture<Void>());
        task.cancellationNamed(true);
        completion.completed(task, new CancellationException());
        assertEquals(1, counters.cancelledCount());
        assertEquals(0, log.linesContaining("'named'").size());
    }

    @Test
    void aDiscardedTaskLeavesItsScopeUncountedAndUnlogged() {
        TrackedTask task = pending("refused", new FutureTask<Void>(() -> null));
        completion.discard(task);
        completion.completed(task, null); // too late: it has ended
        assertEquals(0, scope.pendingCount());
        assertTrue(scope.plainFutures.isEmpty());
        assertEquals(0, counters.completedCount());
        assertEquals(0, log.linesContaining("'refused'").size());
    }

    @Test
    void aSweepEndsThePlainFuturesThatAreDoneAndOnlyThose() {
        FutureTask<Void> done = new FutureTask<>(() -> null);
        done.run();
        FutureTask<Void> failed = new FutureTask<>(() -> {
            throw new IllegalStateException("boom");
        });
        failed.run();
        pending("done", done);
        pending("failed", failed);
        pending("running", new FutureTask<Void>(() -> null));
        completion.sweepPlainFutures(scope);
        assertEquals(1, scope.pendingCount());
        assertEquals(1, scope.plainFutures.size());
        assertEquals(1, counters.completedCount());
        assertEquals(1, counters.failedCount());
    }
}
