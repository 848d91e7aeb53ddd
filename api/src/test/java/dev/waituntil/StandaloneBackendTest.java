package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Standalone mode through the public API: what a unit test or a main program gets without the agent. */
class StandaloneBackendTest {

    /**
     * How long a test waits for what happens at once on an idle machine (a worker running a task) before it fails:
     * a guard against a hang, not a speed check, so far above what a loaded 2-core machine takes.
     */
    private static final long PATIENCE_SECONDS = 60;

    private StandaloneBackend backend;
    private CapturedLog log;

    @BeforeEach
    void useFreshStandaloneBackend() {
        log = new CapturedLog();
        backend = new StandaloneBackend(false);
        WaitUntil.use(backend);
    }

    @AfterEach
    void restore() {
        backend.drain(TimeUnit.SECONDS.toNanos(5));
        WaitUntil.use(null);
        log.close();
    }

    @Test
    void registerReturnsItsArgumentAndCountsUntilCompletion() {
        CompletableFuture<String> task = new CompletableFuture<>();
        assertSame(task, WaitUntil.register("answer", task));
        assertEquals(1, WaitUntil.pending());
        task.complete("done");
        assertEquals(0, WaitUntil.pending());
        assertFalse(WaitUntil.isAgentActive());
    }

    @Test
    void plainFutureIsPendingUntilDone() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<?> task = WaitUntil.register(pool.submit(() -> {
                release.await();
                return null;
            }));
            assertEquals(1, WaitUntil.pending());
            release.countDown();
            task.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, WaitUntil.pending());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runAndSupplyDoTheWorkOnNamedDaemonThreads() throws Exception {
        String[] thread = new String[1];
        boolean[] daemon = new boolean[1];
        WaitUntil.run("note thread", () -> {
                    thread[0] = Thread.currentThread().getName();
                    daemon[0] = Thread.currentThread().isDaemon();
                })
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertTrue(thread[0].startsWith("wait-until-worker-"), thread[0]);
        assertTrue(daemon[0]);
        assertEquals(42, WaitUntil.supply("answer", () -> 42).get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void drainWaitsForPendingTasksAndThenRejects() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> task = WaitUntil.run("slow", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        new Thread(() -> {
                    sleep(200);
                    release.countDown();
                })
                .start();
        int left = backend.drain(TimeUnit.SECONDS.toNanos(60)); // for a task of 200 ms: ample on any machine
        assertEquals(0, left);
        assertTrue(task.isDone());

        RejectedTaskException rejected = assertThrows(
                RejectedTaskException.class, () -> WaitUntil.register("too late", new CompletableFuture<>()));
        assertTrue(rejected.getMessage().contains("'too late'"), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("shutting down"), rejected.getMessage());
        boolean[] ran = new boolean[1];
        assertThrows(RejectedTaskException.class, () -> WaitUntil.run("not started", () -> ran[0] = true));
        sleep(100);
        assertFalse(ran[0], "rejected work must not run");
    }

    @Test
    void drainTimeoutNamesAndCancelsWhatIsLeft() {
        CompletableFuture<Void> stuck = WaitUntil.register("never ends", new CompletableFuture<Void>());
        int left = backend.drain(TimeUnit.MILLISECONDS.toNanos(200));
        assertEquals(1, left);
        assertTrue(stuck.isCancelled());
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("'never ends' still pending")),
                log.messages().toString());
    }

    @Test
    void aFailingTaskIsLoggedWithItsLabelAndException() {
        CompletableFuture<Void> task = WaitUntil.register("send mail", new CompletableFuture<Void>());
        task.completeExceptionally(new IllegalStateException("smtp down"));
        LogRecord record = log.records().stream()
                .filter(r -> r.getMessage().contains("'send mail' failed"))
                .findFirst()
                .orElseThrow(AssertionError::new);
        assertEquals("smtp down", record.getThrown().getMessage());
        assertEquals(0, WaitUntil.pending());
    }

    @Test
    void fullQueueRejectsAndDoesNotStartTheWork() throws Exception {
        System.setProperty("waituntil.executor.threads", "1");
        System.setProperty("waituntil.executor.queue", "1");
        StandaloneBackend small;
        try {
            small = new StandaloneBackend(false);
        } finally {
            System.clearProperty("waituntil.executor.threads");
            System.clearProperty("waituntil.executor.queue");
        }
        WaitUntil.use(small);
        CountDownLatch release = new CountDownLatch(1);
        Runnable blocked = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        WaitUntil.run("running", blocked);
        WaitUntil.run("queued", blocked);
        RejectedTaskException e = assertThrows(RejectedTaskException.class, () -> WaitUntil.run("third", blocked));
        assertTrue(e.getMessage().contains("'third'") && e.getMessage().contains("queue is full"), e.getMessage());
        assertEquals(2, WaitUntil.pending());
        release.countDown();
        assertEquals(0, small.drain(TimeUnit.SECONDS.toNanos(60)));
    }

    @Test
    void nullTasksAreRejectedNamingTheParameter() {
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> WaitUntil.register((CompletableFuture<Object>) null));
        assertTrue(e.getMessage().contains("task"), e.getMessage());
        assertThrows(NullPointerException.class, () -> WaitUntil.run("x", null));
        assertThrows(NullPointerException.class, () -> WaitUntil.supply("x", null));
        assertThrows(NullPointerException.class, () -> WaitUntil.register("x", (Future<Object>) null));
    }

    @Test
    void badDrainTimeoutIsReportedOnceAndTheDefaultUsed() {
        System.setProperty("waituntil.drain.timeout", "banana");
        try {
            new StandaloneBackend(false);
        } finally {
            System.clearProperty("waituntil.drain.timeout");
        }
        long lines = log.messages().stream()
                .filter(m -> m.contains("waituntil.drain.timeout=banana"))
                .count();
        assertEquals(1, lines, log.messages().toString());
        assertTrue(log.messages().stream().anyMatch(m -> m.contains("using the default 30s")));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
