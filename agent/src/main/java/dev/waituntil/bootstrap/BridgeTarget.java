package dev.waituntil.bootstrap;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the agent's runtime offers to every copy of the API, in JDK types only. Lives on the
 * bootstrap class path with {@link WaitUntilBridge}, so that the agent can implement it and every
 * class loader can see it. Refusals are {@link java.util.concurrent.RejectedExecutionException}s.
 */
public interface BridgeTarget {

    void register(String label, Object task);

    CompletableFuture<Void> run(String label, Runnable task);

    CompletableFuture<?> supply(String label, Callable<?> task);

    int pending();

    /** See {@link WaitUntilBridge#pendingTasks}. */
    List<Object[]> pendingTasks(boolean everyApplication);

    /** See {@link WaitUntilBridge#statistics}. */
    List<Object[]> statistics(boolean everyApplication);

    /** See {@link WaitUntilBridge#addListener}. */
    AutoCloseable addListener(Consumer<Object[]> listener, boolean everyApplication);

    /** See {@link WaitUntilBridge#applySettings}. */
    String applySettings(Map<String, String> settings);
}
