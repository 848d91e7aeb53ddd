package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link CapturedFutures} holds, and for how long: a future only while its captured work is pending. */
class CapturedFuturesTest {

    private final TaskCounters counters = new TaskCounters();
    private final DrainSignal signal = new DrainSignal();
    private final TaskExecutor executor = new TaskExecutor(1, 1);
    private final TaskCompletion completion = new TaskCompletion(counters, signal, false);
    private final CapturedFutures futures = completion.capturedFutures();
    private final TaskAdmission admission = new TaskAdmission(executor, completion, counters, signal, false);
    private final Scope scope = Scope.root();
    private final RequestInfo request = new RequestInfo("GET", "/shop/mail", 1);

    @AfterEach
    void stopExecutor() {
        executor.shutdown();
    }

    @Test
    void anEntryGoesWhenItsWorkEndsAndALaterRegistrationInTheRequestCountsNothingMore() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        TrackedTask captured = admission.capture("CompletableFuture.runAsync", new Object(), scope, request);
        futures.link(captured, future);
        assertEquals(1, futures.size(), "held while the work is pending");

        completion.completed(captured, null);
        future.complete(null);
        assertEquals(0, futures.size(), "the entry does not outlive its task");
        assertEquals(1, counters.completedCount());

        admission.register("send mail", future, scope, request);
        assertEquals(1, counters.registeredCount(), "counted once, when it was captured");
        assertEquals(1, counters.completedCount(), "and its end once");
        assertEquals(0, scope.pendingCount());
    }

    @Test
    void aLinkAfterTheWorkHasEndedHoldsNothing() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        TrackedTask captured = admission.capture("CompletableFuture.runAsync", new Object(), scope, request);
        completion.completed(captured, null); // run on the thread that handed it over, before runAsync returned
        future.complete(null);
        futures.link(captured, future);
        assertEquals(0, futures.size());
        assertNull(captured.completes(), "nor a link in the record");
        assertSame(CapturedFutures.ENDED, futures.of(future, request), "its request knows the work has ended");
        assertNull(futures.of(future, null), "outside the request, nothing is kept");
    }

    @Test
    void anAdoptedEntryGoesWithTheAdoption() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        TrackedTask captured = admission.capture("CompletableFuture.runAsync", new Object(), scope, request);
        futures.link(captured, future);

        TrackedTask registered = admission.register("send mail", future, scope, request);
        assertNotSame(captured, registered);
        assertEquals(0, futures.size(), "the registration took the captured record's place");
        assertEquals(1, scope.pendingCount());
        assertEquals(1, counters.registeredCount());

        completion.completed(captured, null); // the run ends after the adoption: the record was discarded
        future.complete(null);
        assertEquals(0, scope.pendingCount());
        assertEquals(1, counters.completedCount(), "counted once, as the registration's end");
    }

    @Test
    void aRequestRemembersOnlyItsLastEndedFutures() {
        CompletableFuture<?>[] ended = new CompletableFuture<?>[EndedFutures.KEPT + 1];
        for (int i = 0; i < ended.length; i++) {
            ended[i] = new CompletableFuture<Void>();
            TrackedTask captured = admission.capture("CompletableFuture.runAsync", new Object(), scope, request);
            futures.link(captured, ended[i]);
            completion.completed(captured, null);
        }
        assertEquals(0, futures.size());
        assertFalse(request.endedCapturedWork(ended[0]), "the oldest was let go: a request keeps a bounded number");
        for (int i = 1; i < ended.length; i++) {
            assertTrue(request.endedCapturedWork(ended[i]), "future " + i);
        }
    }

    @Test
    void onlyCompletableFutureItselfIsLinked() {
        CompletableFuture<Void> subclass = new CompletableFuture<Void>() {};
        TrackedTask captured = admission.capture("CompletableFuture.runAsync", new Object(), scope, request);
        futures.link(captured, subclass);
        assertEquals(0, futures.size());
        assertNull(futures.of(subclass, request));
    }
}
