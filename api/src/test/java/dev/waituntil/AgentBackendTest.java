package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API's side of the seam: binding to a bridge class by its JDK-typed static methods. */
class AgentBackendTest {

    @BeforeEach
    void reset() {
        FakeBridge.calls.clear();
        FakeBridge.installed = true;
        FakeBridge.refuseWith = null;
    }

    @AfterEach
    void restore() {
        WaitUntil.use(null);
    }

    @Test
    void callsReachTheBridge() throws Exception {
        WaitUntil.use(AgentBackend.bind(FakeBridge.class, null));
        assertTrue(WaitUntil.isAgentActive());
        WaitUntil.register("a", new CompletableFuture<>());
        WaitUntil.run("b", () -> {});
        assertEquals("forty-two", WaitUntil.supply("c", () -> "forty-two").get(1, TimeUnit.SECONDS));
        assertEquals(7, WaitUntil.pending());
        assertEquals(Arrays.asList("register a CompletableFuture", "run b", "supply c"), FakeBridge.calls);
    }

    @Test
    void aRefusalBecomesTheApiCopysOwnRejectedTaskException() {
        WaitUntil.use(AgentBackend.bind(FakeBridge.class, null));
        FakeBridge.refuseWith = "wait-until rejected task 'x': application /shop has been drained";
        RejectedTaskException e =
                assertThrows(RejectedTaskException.class, () -> WaitUntil.register("x", new CompletableFuture<>()));
        assertEquals(FakeBridge.refuseWith, e.getMessage());
        assertThrows(RejectedTaskException.class, () -> WaitUntil.run("x", () -> {}));
        assertThrows(RejectedTaskException.class, () -> WaitUntil.supply("x", () -> 1));
    }

    @Test
    void aBridgeWithoutRuntimeIsNotTheAgent() {
        FakeBridge.installed = false;
        assertNull(AgentBackend.bind(FakeBridge.class, null));
    }

    @Test
    void tasksTrackedBeforeTheAgentArrivedStayCounted() {
        StandaloneBackend before = new StandaloneBackend(false);
        before.register("early", new CompletableFuture<>());
        Backend agent = AgentBackend.bind(FakeBridge.class, before);
        assertEquals(7 + 1, agent.pending());
        before.drain(0);
    }

    @Test
    void aBridgeOfAnotherShapeIsReportedClearly() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> AgentBackend.bind(String.class, null));
        assertTrue(e.getMessage().contains("same version"), e.getMessage());
    }

    @Test
    void withoutTheAgentTheBootstrapBridgeIsNotFound() {
        assertNull(AgentBackend.find(null));
    }
}
