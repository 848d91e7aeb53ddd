package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.agent.runtime.TrackedTask;
import dev.waituntil.bootstrap.CaptureTarget;
import dev.waituntil.bootstrap.CapturedCallable;
import dev.waituntil.bootstrap.CapturedFuture;
import dev.waituntil.bootstrap.CapturedRunnable;
import dev.waituntil.bootstrap.RequestContext;
import dev.waituntil.bootstrap.RequestHookTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Decides, for work handed to a JDK executor inside a request or a tracked task, whether it is captured, and tracks
 * what is: a pending task of the request's application from the hand-over until its run ends, attributed to the
 * request, or to the request of the task that handed it over.
 *
 * <p>Never captured: the container's own pools and tasks, the agent's own, and what {@code waituntil.capture.exclude}
 * names, by the class-name prefix of the executor or of the task (decided once per class); a {@code ForkJoinTask}
 * given to {@code ForkJoinPool.submit}, which returns it to the caller as the future of itself.
 */
public final class ExecutorCapture implements CaptureTarget {

    /**
     * The containers' own executors and tasks (socket processors, async dispatches): they are how a request is
     * served, not work it hands over. Tomcat's logging too: its file handlers write each record on a pool of their
     * own, so every line a request logs (through {@code ServletContext.log} or {@code java.util.logging}) would be a
     * task of that request. And the agent's own tasks: run/supply work is tracked already (its pool is a
     * {@code ThreadPoolExecutor} too), and a captured task that one pool hands on to another is captured once.
     */
    static final List<String> BUILT_IN_EXCLUSIONS = Collections.unmodifiableList(Arrays.asList(
            "org.apache.tomcat.",
            "org.apache.catalina.",
            "org.apache.coyote.",
            "org.apache.juli.",
            "org.eclipse.jetty.",
            "dev.waituntil.agent.runtime.",
            "dev.waituntil.bootstrap."));

    private static final String COMPLETABLE_FUTURE = "java.util.concurrent.CompletableFuture$";

    private final TaskRuntime runtime;
    private final RequestHookTarget requests;
    private final boolean enabled;
    private final String[] excluded;
    private final ClassValue<Boolean> excludedClasses = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            String name = type.getName();
            for (String prefix : excluded) {
                if (name.startsWith(prefix)) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };

    /** {@code requests} describes a request, as it does for run/supply labels. */
    public ExecutorCapture(TaskRuntime runtime, RequestHookTarget requests, Config config) {
        this.runtime = runtime;
        this.requests = requests;
        this.enabled = capturesExecutors(config);
        List<String> prefixes = new ArrayList<String>(BUILT_IN_EXCLUSIONS);
        prefixes.addAll(config.list(Setting.CAPTURE_EXCLUDE));
        this.excluded = prefixes.toArray(new String[0]);
    }

    /** Whether {@code waituntil.capture} asks for executors to be captured. */
    public static boolean capturesExecutors(Config config) {
        return config.text(Setting.CAPTURE).startsWith("executors");
    }

    @Override
    public Runnable capture(Object executor, Runnable task, String via, RequestContext context) {
        if (!captures(executor, task) || (task instanceof ForkJoinTask && via.startsWith("ForkJoinPool.submit"))) {
            return task;
        }
        TrackedTask record = track(how(via, task), task, context);
        if (record == null) {
            return task;
        }
        return task instanceof Future ? new CapturedFuture(task, record) : new CapturedRunnable(task, record);
    }

    @Override
    public <T> Callable<T> capture(Object executor, Callable<T> task, String via, RequestContext context) {
        if (!captures(executor, task)) {
            return task;
        }
        TrackedTask record = track(via, task, context);
        return record == null ? task : new CapturedCallable<T>(task, record);
    }

    @Override
    public void ended(Object record, Object task, Throwable failure) {
        runtime.captureEnded((TrackedTask) record, failure);
    }

    @Override
    public void rejected(Object record) {
        runtime.captureRejected((TrackedTask) record);
    }

    @Override
    public void completes(Object record, Object future) {
        runtime.captureCompletes((TrackedTask) record, future);
    }

    @Override
    public void notRun(Object record, String why) {
        runtime.captureNotRun((TrackedTask) record, why);
    }

    private boolean captures(Object executor, Object task) {
        return enabled && !excludedClasses.get(executor.getClass()) && !excludedClasses.get(task.getClass());
    }

    /**
     * The task's record in the scope of the request on this thread, or of the tracked task it runs; null where that
     * scope has been drained.
     */
    private TrackedTask track(String via, Object task, RequestContext context) {
        Scope scope;
        RequestInfo request;
        if (context.task() instanceof TrackedTask && RequestContext.active() == null) {
            TrackedTask outer = (TrackedTask) context.task();
            scope = outer.scope();
            request = outer.request();
        } else {
            scope = runtime.scopeOf(context.application());
            request = (RequestInfo) requests.describe(context);
        }
        return runtime.capture(via, task, scope, request);
    }

    /** What {@code via} says, made precise by the task: {@code submit} and {@code CompletableFuture}'s own tasks. */
    private static String how(String via, Runnable task) {
        String name = task.getClass().getName();
        if (name.startsWith(COMPLETABLE_FUTURE)) {
            if (name.equals(COMPLETABLE_FUTURE + "AsyncRun")) {
                return "CompletableFuture.runAsync";
            }
            if (name.equals(COMPLETABLE_FUTURE + "AsyncSupply")) {
                return "CompletableFuture.supplyAsync";
            }
            return "CompletableFuture async stage";
        }
        if (task instanceof FutureTask && via.equals(ThreadPoolExecutorInstrumentation.VIA)) {
            return "ThreadPoolExecutor.submit";
        }
        return via;
    }
}
