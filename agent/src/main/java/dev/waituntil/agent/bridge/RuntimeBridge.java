package dev.waituntil.agent.bridge;

import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.LoggingContextLookup;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskContext;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.agent.runtime.TrackedTask;
import dev.waituntil.bootstrap.BridgeTarget;
import dev.waituntil.bootstrap.RequestContext;
import dev.waituntil.bootstrap.RequestHookTarget;
import dev.waituntil.bootstrap.WaitUntilBridge;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The runtime as every copy of the API sees it through {@link WaitUntilBridge}. Works out on the
 * caller's thread what a call belongs to: inside a request, that request and its web application;
 * inside a tracked task, the task's request and application; elsewhere, the application of the thread's
 * context class loader, or the JVM. Work started by
 * {@code run}/{@code supply} takes along what {@link TaskContext} captures here.
 */
public final class RuntimeBridge implements BridgeTarget {

    private static final Logger LOG = AgentLog.get(RuntimeBridge.class);

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
        TrackedTask outer = request == null ? runningTask() : null;
        if (outer != null) {
            runtime.register(label, task, outer.scope(), outer.request());
            return;
        }
        ClassLoader application = applicationOf(request);
        runtime.register(label, task, runtime.scopeOf(application), describe(request));
    }

    @Override
    public CompletableFuture<Void> run(String label, Runnable task) {
        RequestContext request = RequestContext.active();
        TrackedTask outer = request == null ? runningTask() : null;
        ClassLoader application = applicationOf(request);
        Scope scope = outer != null ? outer.scope() : runtime.scopeOf(application);
        RequestInfo origin = outer != null ? outer.request() : describe(request);
        return runtime.run(label, task, scope, origin, capture(application, scope));
    }

    @Override
    public CompletableFuture<?> supply(String label, Callable<?> task) {
        RequestContext request = RequestContext.active();
        TrackedTask outer = request == null ? runningTask() : null;
        ClassLoader application = applicationOf(request);
        Scope scope = outer != null ? outer.scope() : runtime.scopeOf(application);
        RequestInfo origin = outer != null ? outer.request() : describe(request);
        return runtime.supply(label, task, scope, origin, capture(application, scope));
    }

    @Override
    public int pending() {
        return runtime.pending(callersScope());
    }

    @Override
    public List<Object[]> pendingTasks(boolean everyApplication) {
        List<Object[]> rows = new ArrayList<>();
        for (Scope scope : scopes(everyApplication)) {
            for (TrackedTask task : runtime.pendingTasksOf(scope)) {
                RequestInfo request = task.request();
                rows.add(new Object[] {
                    scope.name(), task.id(), task.label(), request == null ? null : request.toString(), task.ageNanos()
                });
            }
        }
        if (everyApplication) {
            rows.sort((a, b) -> Long.compare((Long) b[4], (Long) a[4]));
        }
        return rows;
    }

    @Override
    public List<Object[]> statistics(boolean everyApplication) {
        List<Object[]> rows = new ArrayList<>();
        for (Scope scope : scopes(everyApplication)) {
            long oldest = 0;
            List<TrackedTask> pending = runtime.pendingTasksOf(scope);
            if (!pending.isEmpty()) {
                oldest = pending.get(0).ageNanos();
            }
            rows.add(new Object[] {
                scope.name(),
                scope.registeredCount(),
                scope.completedCount(),
                scope.failedCount(),
                scope.cancelledCount(),
                scope.rejectedCount(),
                (long) pending.size(),
                oldest
            });
        }
        return rows;
    }

    @Override
    public AutoCloseable addListener(Consumer<Object[]> listener, boolean everyApplication) {
        Objects.requireNonNull(listener, "listener must not be null");
        return runtime.events().add(listener, callersScope(), everyApplication);
    }

    @Override
    public String applySettings(Map<String, String> settings) {
        Objects.requireNonNull(settings, "settings must not be null");
        return runtime.applySettings(new HashMap<>(settings), LOG::warn);
    }

    /** The scope the caller belongs to, as a registration of it would: its request's, its task's, its loader's. */
    private Scope callersScope() {
        RequestContext request = RequestContext.active();
        TrackedTask outer = request == null ? runningTask() : null;
        return outer != null ? outer.scope() : runtime.scopeOf(applicationOf(request));
    }

    private List<Scope> scopes(boolean everyApplication) {
        if (!everyApplication) {
            return Collections.singletonList(callersScope());
        }
        List<Scope> all = new ArrayList<>();
        all.add(runtime.jvm());
        all.addAll(runtime.applicationScopes());
        return all;
    }

    /**
     * The tracked task the calling thread runs ({@code run}/{@code supply} work, a captured task) outside a request:
     * a call it makes belongs to that task's request and application, whichever pool's thread runs it and whatever
     * its context class loader (the common pool's threads have none of the application's).
     */
    private static TrackedTask runningTask() {
        Object task = RequestContext.runningTask();
        return task instanceof TrackedTask ? (TrackedTask) task : null;
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
