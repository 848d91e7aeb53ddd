package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainerTest {

    private final ScopeRegistry scopes = new ScopeRegistry();
    private final TaskCounters counters = new TaskCounters();
    private final DrainSignal signal = new DrainSignal();
    private final TaskCompletion completion = new TaskCompletion(counters, signal, false);
    private final CapturedLog log = new CapturedLog();

    @AfterEach
    void closeLog() {
        log.close();
    }

    private Drainer drainer(boolean cancelAtDeadline) {
        return new Drainer(scopes, completion, signal, cancelAtDeadline, false);
    }

    private Scope application(String name) {
        return scopes.scopeOf(new URLClassLoader(new URL[0], DrainerTest.class.getClassLoader()) {
            @Override
            public String toString() {
                return name;
            }
        });
    }

    private CompletableFuture<Void> pendingIn(Scope scope, String label) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        TrackedTask task = new TrackedTask(completion, 1, label, future, scope, null);
        scope.tasks.add(task);
        future.whenComplete(task);
        return future;
    }

    @Test
    void anEmptyScopeIsClosedAtOnceAndALaterDrainOfItReturnsAtOnce() {
        Scope shop = application("/shop");
        Drainer drainer = drainer(true);
        DrainReport report = drainer.drain(shop, Deadline.in(Duration.ofDays(1)), "its stop");
        assertFalse(report.timedOut());
        assertTrue(report.toString().startsWith("drain of application /shop for its stop: "), report.toString());
        assertTrue(shop.isDrained());
        assertEquals("application /shop has been drained for its stop", shop.drainedReason());
        assertFalse(scopes.jvm().isDrained(), "the JVM and other applications are not");

        DrainReport again = drainer.drain(shop, Deadline.in(Duration.ofDays(1)), "another hook");
        assertEquals(0, again.elapsedNanos());
        assertEquals("application /shop has been drained for its stop", shop.drainedReason(), "the first reason stays");
    }

    @Test
    void atItsDeadlineADrainNamesAndCancelsWhatIsStillPending() {
        CompletableFuture<Void> stuck = pendingIn(scopes.jvm(), "stuck");
        DrainReport report = drainer(true).drain(scopes.jvm(), Deadline.in(Duration.ZERO), "a test");
        assertTrue(report.timedOut());
        assertEquals(1, report.leftPending().size());
        assertTrue(
                report.leftPending().get(0).startsWith("'stuck' (age "),
                report.leftPending().toString());
        assertEquals(1, report.cancelledAtDeadline());
        assertTrue(stuck.isCancelled());
        assertEquals(1, counters.cancelledCount());
        assertEquals(
                1, log.linesContaining("task 'stuck' (age").size(), "named once: the cancel does not name it again");
    }

    @Test
    void withoutCancelAtDeadlineTheTaskIsNamedAndLeftRunning() {
        CompletableFuture<Void> stuck = pendingIn(scopes.jvm(), "left alone");
        DrainReport report = drainer(false).drain(scopes.jvm(), Deadline.in(Duration.ZERO), "a test");
        assertEquals(1, report.leftPending().size());
        assertEquals(0, report.cancelledAtDeadline());
        assertFalse(stuck.isDone());
        assertEquals(1, scopes.jvm().pendingCount());
    }

    @Test
    void theJvmScopeDrainsEveryScopeAndReopeningOpensThemAll() {
        Scope shop = application("/shop");
        Drainer drainer = drainer(true);
        assertFalse(drainer.reopen(), "nothing was drained");
        pendingIn(shop, "in an application").complete(null);
        DrainReport report = drainer.drain(scopes.jvm(), Deadline.in(Duration.ofDays(1)), "a server stop");
        assertEquals(Collections.emptyList(), report.leftPending());
        assertTrue(shop.isDrained(), "the JVM's drain closes every application");
        assertTrue(drainer.reopen());
        assertFalse(shop.isDrained());
        assertFalse(scopes.jvm().isDrained());
    }
}
