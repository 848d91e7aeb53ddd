package dev.waituntil.agent.bridge;

import dev.waituntil.agent.runtime.LoggingContextLookup;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskContext;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.bootstrap.BridgeTarget;
import dev.waituntil.bootstrap.RequestContext;
import dev.waituntil.bootstrap.RequestHookTarget;
import dev.waituntil.bootstrap.WaitUntilBridge;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The runtime as every copy of the API sees it through {@link WaitUntilBridge}. Works out on the
 * caller's thread what a call belongs to: inside a request, that request and its web application;
 * outside, the application of the thread's context class loader, or the JVM. Work started by
 * {@code run}/{@code supply} takes along what {@link TaskContext} captures here.
 */
public final class RuntimeBridge implements BridgeTarget {

    private final TaskRuntime runtime;
    private final RequestHookTarget requests;
    private final LoggingContextLookup loggingContexts;

    /** {@code requests} describes the request of a call made inside one, as the servlet hooks do. */
    public RuntimeBridge(TaskRuntime runtime, RequestHookTarget requests) {
        this.runtime = runtime;
        this.requests = requests;
        this.loggingContexts = new LoggingContextLookup(runtime.isDebug());
    }

    @Override
    public void register(String label, Object task) {
        RequestContext request = RequestContext.active();
        ClassLoader application = applicationOf(request);
        runtime.register(label, task, runtime.scopeOf(application), describe(request));
    }

    @Override
    public CompletableFuture<Void> run(String label, Runnable task) {
        RequestContext request = RequestContext.active();
        ClassLoader application = applicationOf(request);
        Scope scope = runtime.scopeOf(application);
        return runtime.run(label, task, scope, describe(request), capture(application, scope));
    }

    @Override
    public CompletableFuture<?> supply(String label, Callable<?> task) {
        RequestContext request = RequestContext.active();
        ClassLoader application = applicationOf(request);
        Scope scope = runtime.scopeOf(application);
        return runtime.supply(label, task, scope, describe(request), capture(application, scope));
    }

    @Override
    public int pending() {
        Scope scope = runtime.scopeOf(applicationOf(RequestContext.active()));
        return runtime.pending(scope);
    }

    private static ClassLoader applicationOf(RequestContext request) {
        return request != null ? request.application() : Thread.currentThread().getContextClassLoader();
    }

    /**
     * The caller's own context class loader, which may differ from its application's when the
     * application set one; the application's where the thread has none.
     */
    private TaskContext capture(ClassLoader application, Scope scope) {
        ClassLoader caller = Thread.currentThread().getContextClassLoader();
        return TaskContext.capture(caller != null ? caller : application, scope, loggingContexts);
    }

    private RequestInfo describe(RequestContext request) {
        return request == null ? null : (RequestInfo) requests.describe(request);
    }
}
