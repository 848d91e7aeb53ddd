package dev.waituntil.agent.bridge;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.bootstrap.BridgeTarget;
import dev.waituntil.bootstrap.WaitUntilBridge;

/**
 * The runtime as every copy of the API sees it through {@link dev.waituntil.bootstrap.WaitUntilBridge}.
 * Works out on the caller's thread which application a call belongs to: the thread's context
 * class loader, as SPEC says for tasks registered outside a request.
 */
public final class RuntimeBridge implements BridgeTarget {

    private final TaskRuntime runtime;

    RuntimeBridge(TaskRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Makes {@code runtime} the one that every API copy reaches. Call only after
     * {@link BootstrapInjector#inject}: this class is the first to use the bridge types, so that the
     * JVM resolves them from the bootstrap path rather than from the agent jar on the class path.
     */
    public static void install(TaskRuntime runtime) {
        WaitUntilBridge.install(new RuntimeBridge(runtime));
    }

    @Override
    public void register(String label, Object task) {
        runtime.register(label, task, runtime.scopeOf(callerLoader()), currentRequest());
    }

    @Override
    public CompletableFuture<Void> run(String label, Runnable task) {
        ClassLoader caller = callerLoader();
        return runtime.run(label, task, runtime.scopeOf(caller), currentRequest(), caller);
    }

    @Override
    public CompletableFuture<?> supply(String label, Callable<?> task) {
        ClassLoader caller = callerLoader();
        return runtime.supply(label, task, runtime.scopeOf(caller), currentRequest(), caller);
    }

    @Override
    public int pending() {
        return runtime.pending(runtime.scopeOf(callerLoader()));
    }

    private static ClassLoader callerLoader() {
        return Thread.currentThread().getContextClassLoader();
    }

    /** The request being served on this thread; none until the servlet hooks are installed. */
    private static RequestInfo currentRequest() {
        return null;
    }
}
