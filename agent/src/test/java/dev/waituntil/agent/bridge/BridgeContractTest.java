package dev.waituntil.agent.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.waituntil.bootstrap.WaitUntilBridge;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The bridge's static methods are bound by name and type by every copy of the API, of any version: each one that an
 * API version binds must stay, with its exact type. Adding is the only change allowed.
 */
class BridgeContractTest {

    private static void present(String name, MethodType type) throws ReflectiveOperationException {
        MethodHandles.publicLookup().findStatic(WaitUntilBridge.class, name, type);
    }

    @Test
    void theFirstVersionsMethodsStay() throws Exception {
        present("isInstalled", MethodType.methodType(boolean.class));
        present("register", MethodType.methodType(void.class, String.class, Object.class));
        present("run", MethodType.methodType(CompletableFuture.class, String.class, Runnable.class));
        present("supply", MethodType.methodType(CompletableFuture.class, String.class, Callable.class));
        present("pending", MethodType.methodType(int.class));
    }

    @Test
    void theObservationMethodsStay() throws Exception {
        present("pendingTasks", MethodType.methodType(List.class, boolean.class));
        present("statistics", MethodType.methodType(List.class, boolean.class));
        present("addListener", MethodType.methodType(AutoCloseable.class, Consumer.class, boolean.class));
        assertEquals(
                "started", dev.waituntil.agent.runtime.TaskEvents.STARTED, "the event kinds are part of the contract");
    }

    @Test
    void theSettingsMethodStays() throws Exception {
        present("applySettings", MethodType.methodType(String.class, Map.class));
    }
}
