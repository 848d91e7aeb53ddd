package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Settings an application gives once started, in standalone mode and against an agent. */
class WaitUntilSettingsTest {

    /** A guard against a hang, far above what a loaded 2-core machine takes; never a speed check. */
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

    private static Map<String, String> given(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void standaloneTheDrainTakesTheGivenTimeoutAndLeavesTheTaskRunningWhenToldTo() {
        String inForce =
                WaitUntilSettings.apply(given("waituntil.drain.timeout", "100ms", "waituntil.drain.cancel", "false"));
        assertTrue(inForce.contains("drain.timeout=100ms"), inForce);
        assertTrue(inForce.contains("drain.cancel=false"), inForce);
        CompletableFuture<Void> stuck = WaitUntil.register("stuck", new CompletableFuture<Void>());

        long started = System.nanoTime();
        backend.drainAtTeardown("/test");

        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS));
        assertFalse(stuck.isCancelled(), "drain.cancel=false leaves the task running");
        assertTrue(log.messages().stream().anyMatch(m -> m.contains("stuck")), String.valueOf(log.messages()));
    }

    @Test
    void standaloneMoreThreadsRunMoreTasksAtOnce() throws Exception {
        WaitUntilSettings.apply(given("waituntil.executor.threads", "3"));
        CountDownLatch allRunning = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < 3; i++) {
                WaitUntil.run("t" + i, () -> {
                    allRunning.countDown();
                    try {
                        release.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(allRunning.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "three tasks ran at once");
        } finally {
            release.countDown();
        }
    }

    @Test
    void standaloneABadValueIsLoggedAndTheValueInForceKept() {
        WaitUntilSettings.apply(given("waituntil.drain.timeout", "7s"));
        String inForce = WaitUntilSettings.apply(given("waituntil.drain.timeout", "banana"));
        assertTrue(inForce.contains("drain.timeout=7s"), inForce);
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("waituntil.drain.timeout=banana")),
                String.valueOf(log.messages()));
    }

    @Test
    void standaloneAnUnknownNameIsLogged() {
        WaitUntilSettings.apply(given("waituntil.drain.timout", "7s"));
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("unknown setting 'waituntil.drain.timout'")),
                String.valueOf(log.messages()));
    }

    @Test
    void standaloneTheQueueCannotChangeOnceItExists() {
        WaitUntil.run("starts the pool", () -> {}).join();
        String inForce = WaitUntilSettings.apply(given("waituntil.executor.queue", "3"));
        assertTrue(inForce.contains("executor.queue=10000"), inForce);
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("-Dwaituntil.executor.queue=3")),
                String.valueOf(log.messages()));
    }

    @Test
    void theAgentReceivesTheSettingsAndAnswersWithThoseInForce() {
        WaitUntil.use(AgentBackend.bind(FakeObservingBridge.class, null));
        String inForce = WaitUntilSettings.apply(given("waituntil.drain.timeout", " 10s ", "waituntil.debug", null));
        assertEquals("in force: {waituntil.drain.timeout=10s}", inForce);
    }

    @Test
    void anOlderAgentKeepsItsOwnSettingsWithOneWarning() {
        WaitUntil.use(AgentBackend.bind(FakeBridge.class, null));
        String inForce = WaitUntilSettings.apply(given("waituntil.drain.timeout", "10s"));
        assertTrue(inForce.contains("older than this API"), inForce);
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("takes no settings from the application")),
                String.valueOf(log.messages()));
    }

    @Test
    void nullSettingsAreRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> WaitUntilSettings.apply(null));
        assertTrue(e.getMessage().contains("settings"));
    }
}
