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
import java.util.concurrent.ForkJoinWorkerThread;
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
     * {@code ThreadPoolExecutor} too), and a captured task that one pool hands on to another is captured once. And
     * the continuations of virtual threads (JDK 21 and later), which their scheduler, a {@code ForkJoinPool}, is given
     * at every start and every unpark: a virtual thread is the application's work, its scheduling is not.
     */
    static final List<String> BUILT_IN_EXCLUSIONS = Collections.unmodifiableList(Arrays.asList(
            "org.apache.tomcat.",
            "org.apache.catalina.",
            "org.apache.coyote.",
            "org.apache.juli.",
            "org.eclipse.jetty.",
            "dev.waituntil.agent.runtime.",
            "dev.waituntil.bootstrap.",
            "java.lang.VirtualThread$"));

    /**
     * Whoever calls {@code Thread.start()} from these packages is the JDK: its pools starting their workers
     * ({@code ThreadPoolExecutor.addWorker}, {@code ForkJoinPool}, {@code CompletableFuture}'s thread per task, whose
     * work is captured as it is handed over), timers, cleaners, the HTTP keep-alive timer. Long-lived or not the
     * application's own work, never a task of the request that happened to start them.
     */
    static final List<String> JDK_STARTERS =
            Collections.unmodifiableList(Arrays.asList("java.", "javax.", "jdk.", "sun.", "com.sun."));

    /**
     * Spring's executors that start a thread per task ({@code SimpleAsyncTaskExecutor.doExecute},
     * {@code VirtualThreadTaskExecutor.execute}): the task is captured as they hand it over, and the thread that runs
     * it would count the same work twice.
     */
    static final List<String> SPRING_STARTERS = Collections.singletonList("org.springframework.core.task.");

    private static final String COMPLETABLE_FUTURE = "java.util.concurrent.CompletableFuture$";
    private static final String VIRTUAL_THREAD = "java.lang.VirtualThread";

    private final TaskRuntime runtime;
    private final RequestHookTarget requests;
    private final boolean enabled;
    private final boolean threads;
    private final String[] excluded;
    private final List<String> excludedPrefixes;
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
        this.threads = capturesThreads(config);
        List<String> prefixes = new ArrayList<String>(BUILT_IN_EXCLUSIONS);
        prefixes.addAll(config.list(Setting.CAPTURE_EXCLUDE));
        this.excluded = prefixes.toArray(new String[0]);
        this.excludedPrefixes = Collections.unmodifiableList(prefixes);
    }

    /** Whether {@code waituntil.capture} asks for executors to be captured. */
    public static boolean capturesExecutors(Config config) {
        return config.text(Setting.CAPTURE).startsWith("executors");
    }

    /** Whether {@code waituntil.capture} asks for {@code Thread.start()} to be captured too. */
    public static boolean capturesThreads(Config config) {
        return config.text(Setting.CAPTURE).equals("executors,threads");
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

    @Override
    public void cancelledThrough(Object record, Future<?> future) {
        runtime.captureCancelledThrough((TrackedTask) record, future);
    }

    /**
     * A thread started in a request or a tracked task, unless its class is excluded, it is a fork/join worker, or
     * whoever started it is (see {@link #starter}): the JDK, a container, Spring's executors that capture the task
     * already, or what the exclusion names.
     */
    @Override
    public Object captureThread(Thread thread, String via, RequestContext context) {
        if (!threads || thread instanceof ForkJoinWorkerThread || excludedClasses.get(thread.getClass())) {
            return null;
        }
        String type = thread.getClass().getName();
        if (startsWithAny(type, JDK_STARTERS) && !type.equals("java.lang.Thread") && !type.equals(VIRTUAL_THREAD)) {
            return null; // the JDK's own kinds of thread: its timers', its innocuous system threads
        }
        String starter = starter(thread);
        if (starter == null
                || startsWithAny(starter, JDK_STARTERS)
                || startsWithAny(starter, SPRING_STARTERS)
                || startsWithAny(starter, excludedPrefixes)) {
            return null;
        }
        return track(via, thread, context);
    }

    /**
     * The class whose code calls {@code start()} on {@code thread}: the frame below {@code start()}, or below what
     * only passes the call on: {@code Thread.startVirtualThread}, the builders' {@code start(task)}, and the thread's
     * own class (a subclass's {@code start()} that calls {@code super.start()}, or its constructor). The runnable a
     * thread runs is a private field of {@code java.lang.Thread}, out of reach without opening {@code java.base}; who
     * starts it names its origin as well. A stack trace costs some microseconds, paid only when a thread is started
     * in a request or a tracked task, itself a far dearer call.
     */
    private static String starter(Thread thread) {
        String own = thread.getClass().getName();
        boolean belowStart = false;
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            String name = frame.getClassName();
            String method = frame.getMethodName();
            if (!belowStart) {
                belowStart = method.equals("start") && (name.equals("java.lang.Thread") || name.equals(VIRTUAL_THREAD));
            } else if (!name.equals(own)
                    && !name.startsWith("java.lang.ThreadBuilders$")
                    && !(name.equals("java.lang.Thread") && method.equals("startVirtualThread"))) {
                return name;
            }
        }
        return null;
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
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
        if (task instanceof FutureTask) {
            // submit wraps the application's task in a FutureTask and hands that to execute.
            if (via.equals(ThreadPoolExecutorInstrumentation.VIA)) {
                return "ThreadPoolExecutor.submit";
            }
            if (via.equals(SimpleAsyncTaskExecutorInstrumentation.VIA)) {
                return "SimpleAsyncTaskExecutor.submit";
            }
            if (via.equals(VirtualThreadTaskExecutorInstrumentation.VIA)) {
                return "VirtualThreadTaskExecutor.submit";
            }
        }
        return via;
    }
}
