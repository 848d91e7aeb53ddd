package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

/** The record's flags share one int: each is set and read on its own, whatever the others are. */
class TrackedTaskTest {

    private final TaskCompletion completion = new TaskCompletion(new TaskCounters(), new DrainSignal(), false);
    private final Scope scope = Scope.root();

    @Test
    void eachFlagIsIndependentOfTheOthers() {
        TrackedTask task = new TrackedTask(completion, 1, "mail", new CompletableFuture<Void>(), scope, null);
        assertFalse(task.captured());
        task.cancellationNamed(true);
        task.outcomeCounted(true);
        task.warned(true);
        task.errorsLogged(3);
        assertFalse(task.isDone(), "the flags leave it pending");
        assertTrue(task.claimNaming());
        assertFalse(task.claimNaming(), "named once");
        assertTrue(task.finish());
        assertFalse(task.finish(), "finished once");
        task.cancellationNamed(false);
        task.timedOut(true);
        task.errorsLogged(Long.MAX_VALUE);
        assertFalse(task.cancellationNamed());
        assertTrue(task.outcomeCounted());
        assertTrue(task.warned());
        assertTrue(task.timedOut());
        assertTrue(task.isDone());
        assertTrue(task.errorsLogged() > 1_000_000, "saturates rather than wraps: " + task.errorsLogged());
    }

    @Test
    void capturedWorkIsCapturedForGoodAndLabelledByHowItWasHandedOver() {
        TrackedTask task = new TrackedTask(
                completion, 2, null, new FutureTask<Void>(() -> null), scope, null, "ThreadPoolExecutor.submit");
        assertTrue(task.captured());
        assertFalse(task.isPlainFuture());
        task.finish();
        task.cancellationNamed(true);
        assertTrue(task.captured());
        assertEquals(
                "ThreadPoolExecutor.submit from thread '"
                        + Thread.currentThread().getName() + "'",
                task.label());
    }

    @Test
    void generatedLabelsNameTheRequestOrTheThread() {
        RequestInfo request = new RequestInfo("GET", "/shop", 4);
        TrackedTask inRequest = new TrackedTask(completion, 7, null, new CompletableFuture<Void>(), scope, request);
        assertSame(request, inRequest.request());
        assertEquals("task-7 (CompletableFuture) from GET /shop", inRequest.label());
        TrackedTask onThread = new TrackedTask(completion, 8, null, new CompletableFuture<Void>(), scope, null);
        assertNull(onThread.request());
        assertEquals(
                "task-8 (CompletableFuture) from thread '"
                        + Thread.currentThread().getName() + "'",
                onThread.label());
    }

    @Test
    void theRareFieldsStayEmptyUntilSet() {
        TrackedTask task = new TrackedTask(completion, 9, "x", new CompletableFuture<Void>(), scope, null);
        assertNull(task.completes());
        assertNull(task.cancelledThrough());
        assertNull(task.endSignal());
        CompletableFuture<Object[]> end = new CompletableFuture<>();
        task.endSignal(end);
        Object future = new Object();
        task.completes(future);
        assertSame(end, task.endSignal());
        assertSame(future, task.completes());
        assertNull(task.cancelledThrough());
    }
}
