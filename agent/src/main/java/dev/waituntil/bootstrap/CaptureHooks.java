package dev.waituntil.bootstrap;

import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * What the capture advice calls when work is handed to an executor of the JDK. The advice is inlined into the
 * JDK's own classes, loaded by the bootstrap loader, so it may reference only this package and the JDK. Outside a
 * request or a tracked task, the check costs one thread-local read and hands the task back unchanged.
 */
public final class CaptureHooks {

    /** {@link RequestContext#stage} inside an async stage that has captured nothing yet. */
    private static final Object STAGE = new Object();
    /** What {@link #asyncStageEntered} returns outside a request or task: the exit has nothing to do. */
    private static final Object NOT_ENTERED = new Object();
    /** What {@link #asyncStageEntered} returns where no outer async stage was on this thread. */
    private static final Object NO_OUTER = new Object();

    private static volatile CaptureTarget target;

    /**
     * The threads captured at their start and not yet ended, each with its record. Weak keys: a thread that never
     * ends through the hooks (it failed to start and the exit advice did not run) holds nothing once unreachable.
     * Its own thread reads an entry once, the first time it reads its {@link RequestContext}.
     */
    private static final Map<Thread, CapturedThread> THREADS = new WeakHashMap<Thread, CapturedThread>();
    /** Whether any thread has been captured: until then, a thread's end and its first context take no lock. */
    private static volatile boolean threadsCaptured;

    private CaptureHooks() {}

    /** Called once by the agent when its runtime is ready. */
    public static void install(CaptureTarget agent) {
        target = agent;
    }

    /** Entry of an executor's {@code execute} or {@code submit}: the task to hand over instead of {@code task}. */
    public static Runnable capture(Object executor, Runnable task, String via) {
        RequestContext context = RequestContext.current();
        if ((context.depth == 0 && context.task == null) || context.capturing || task == null) {
            return task;
        }
        CaptureTarget agent = target;
        if (agent == null) {
            return task;
        }
        Runnable handedOver;
        context.capturing = true;
        try {
            handedOver = agent.capture(executor, task, via, context);
        } finally {
            context.capturing = false;
        }
        if (context.stage == STAGE && handedOver instanceof CapturedRunnable) {
            // The one task that runAsync or supplyAsync hands over, or a wrapper of it that an executor hands on.
            context.stage = ((CapturedRunnable) handedOver).record;
        }
        return handedOver;
    }

    /** The same for a {@code Callable} ({@code ForkJoinPool.submit(Callable)}). */
    public static <T> Callable<T> capture(Object executor, Callable<T> task, String via) {
        RequestContext context = RequestContext.current();
        if ((context.depth == 0 && context.task == null) || context.capturing || task == null) {
            return task;
        }
        CaptureTarget agent = target;
        if (agent == null) {
            return task;
        }
        context.capturing = true;
        try {
            return agent.capture(executor, task, via, context);
        } finally {
            context.capturing = false;
        }
    }

    /** Exit of the same method by an exception: a task captured on entry was refused and will never run. */
    public static void rejected(Object task) {
        CaptureTarget agent = target;
        if (agent == null) {
            return;
        }
        if (task instanceof CapturedRunnable) {
            if (((CapturedRunnable) task).drop()) {
                agent.rejected(((CapturedRunnable) task).record);
            }
        } else if (task instanceof CapturedCallable) {
            agent.rejected(((CapturedCallable<?>) task).record);
        }
    }

    /**
     * Entry of {@code CompletableFuture.runAsync}'s or {@code supplyAsync}'s stage: the task it hands over completes
     * the future it returns, which the application may register, so the capture of that task is noted for the exit.
     *
     * @return for {@link #asyncStageExited}
     */
    public static Object asyncStageEntered() {
        RequestContext context = RequestContext.current();
        if (context.depth == 0 && context.task == null) {
            return NOT_ENTERED;
        }
        Object outer = context.stage;
        context.stage = STAGE;
        return outer == null ? NO_OUTER : outer;
    }

    /**
     * Exit of the same method, by a return ({@code future}) or not (null).
     *
     * @param entered what {@link #asyncStageEntered} returned
     */
    public static void asyncStageExited(Object entered, Object future) {
        if (entered == NOT_ENTERED || entered == null) {
            return;
        }
        RequestContext context = RequestContext.current();
        Object captured = context.stage;
        context.stage = entered == NO_OUTER ? null : entered;
        CaptureTarget agent = target;
        if (captured != STAGE && captured != null && future != null && agent != null) {
            agent.completes(captured, future);
        }
    }

    /**
     * Exit of {@code ThreadPoolExecutor.shutdownNow()}: the tasks it returns, which never ran, are the application's
     * own again, not the agent's wrappers, and their records end.
     */
    public static void shutdownNow(List<Runnable> unrun) {
        CaptureTarget agent = target;
        if (agent == null || unrun == null) {
            return;
        }
        for (ListIterator<Runnable> tasks = unrun.listIterator(); tasks.hasNext(); ) {
            Runnable task = tasks.next();
            if (task instanceof CapturedRunnable) {
                CapturedRunnable captured = (CapturedRunnable) task;
                tasks.set(captured.task);
                if (captured.drop()) {
                    agent.notRun(captured.record, "returned by shutdownNow() without having run");
                }
            }
        }
    }

    /**
     * Exit of a JDK rejection policy that may drop the task without a word: {@code DiscardPolicy} always, and
     * {@code CallerRunsPolicy} and {@code DiscardOldestPolicy} when the pool is shut down. Where the task has not
     * run (a caller that ran it has), it never will: forgotten, counted as rejected.
     */
    public static void discarded(Runnable task) {
        CaptureTarget agent = target;
        if (agent != null && task instanceof CapturedRunnable && ((CapturedRunnable) task).drop()) {
            try {
                agent.rejected(((CapturedRunnable) task).record);
            } catch (Throwable ignored) {
                // Called where the pool's own exceptions must reach the caller: the agent's never do.
            }
        }
    }

    /**
     * {@code DiscardOldestPolicy.rejectedExecution}, done here in its place so that the task it drops is known: the
     * same two calls as the JDK's own body (8 to 25), the queue's head dropped and the new task handed over again.
     * What the pool's {@code execute} throws reaches the caller unchanged.
     *
     * @return false where the agent is not ready: the JDK's body then runs instead
     */
    public static boolean discardOldest(Runnable task, ThreadPoolExecutor executor) {
        if (target == null) {
            return false;
        }
        if (!executor.isShutdown()) {
            discarded(executor.getQueue().poll());
            executor.execute(task);
        } else {
            discarded(task);
        }
        return true;
    }

    /**
     * Entry of {@code ThreadPoolExecutor.purge()}: the queued submitted tasks the application has cancelled, which
     * the purge removes, will never run; their records end cancelled, quietly, as when the pool comes to them.
     */
    public static void purging(ThreadPoolExecutor executor) {
        CaptureTarget agent = target;
        if (agent == null) {
            return;
        }
        for (Runnable queued : executor.getQueue()) {
            if (queued instanceof CapturedFuture
                    && ((CapturedFuture) queued).isCancelled()
                    && ((CapturedFuture) queued).drop()) {
                agent.notRun(((CapturedFuture) queued).record, "cancelled, then purged from its pool's queue");
            }
        }
    }

    /**
     * Entry of {@code ThreadPoolExecutor.remove(task)} with the application's own task: the wrapper that the queue
     * holds in its place, for the method to remove instead, so that it finds what it would find without the agent.
     *
     * @return the wrapper of {@code task} in the pool's queue, or {@code task} where there is none
     */
    public static Runnable queuedAs(ThreadPoolExecutor executor, Runnable task) {
        if (target == null
                || task == null
                || task instanceof CapturedRunnable
                || executor instanceof ScheduledThreadPoolExecutor) {
            return task;
        }
        for (Runnable queued : executor.getQueue()) {
            if (queued instanceof CapturedRunnable && ((CapturedRunnable) queued).task == task) {
                return queued;
            }
        }
        return task;
    }

    /** Exit of the same method: a wrapper it removed for the application's task will never run. */
    public static void removed(Runnable original, Runnable removed, boolean found) {
        CaptureTarget agent = target;
        if (agent != null
                && found
                && removed != original
                && removed instanceof CapturedRunnable
                && ((CapturedRunnable) removed).drop()) {
            agent.notRun(((CapturedRunnable) removed).record, "removed from its pool's queue by the application");
        }
    }

    /**
     * Exit of {@code submit} that returned {@code future}, made after the hand-over of {@code task}: what cancels the
     * captured work at a drain's deadline.
     */
    public static void cancelledThrough(Object task, Future<?> future) {
        CaptureTarget agent = target;
        if (agent != null && future != null && task instanceof CapturedCallable) {
            agent.cancelledThrough(((CapturedCallable<?>) task).record, future);
        }
    }

    /**
     * Entry of {@code Thread.start()}: {@code thread}, about to start, is captured when the starting thread is in a
     * request or a tracked task and the agent captures threads.
     *
     * @param via how it was started, for its label
     * @return the capture, for {@link #threadStarted}; null when the thread is not captured
     */
    public static Object threadStarting(Thread thread, String via) {
        RequestContext context = RequestContext.current();
        if ((context.depth == 0 && context.task == null) || context.capturing || thread == null) {
            return null;
        }
        CaptureTarget agent = target;
        if (agent == null || thread.getState() != Thread.State.NEW) {
            return null; // a second start() throws; the first one's capture stays as it is
        }
        Object record;
        context.capturing = true;
        try {
            record = agent.captureThread(thread, via, context);
        } finally {
            context.capturing = false;
        }
        if (record == null) {
            return null;
        }
        CapturedThread captured = new CapturedThread(record);
        synchronized (THREADS) {
            // Before the thread runs: its first look at its context finds the record.
            THREADS.put(thread, captured);
        }
        threadsCaptured = true;
        return captured;
    }

    /** Exit of the same method: {@code thrown}, the thread did not start and never will; its record is forgotten. */
    public static void threadStarted(Thread thread, Object captured, Throwable thrown) {
        if (captured == null || thrown == null) {
            return;
        }
        synchronized (THREADS) {
            THREADS.remove(thread);
        }
        CaptureTarget agent = target;
        if (agent != null) {
            agent.rejected(((CapturedThread) captured).record);
        }
    }

    /** Entry of {@code Thread.dispatchUncaughtException}: what a captured thread's run threw, for its end. */
    public static void threadFailed(Thread thread, Throwable failure) {
        if (!threadsCaptured) {
            return;
        }
        CapturedThread captured;
        synchronized (THREADS) {
            captured = THREADS.get(thread);
        }
        if (captured != null) {
            captured.failure = failure;
        }
    }

    /**
     * The end of a thread's run, on that thread: {@code Thread.exit()}, which the JVM calls as a platform thread
     * ends (after its uncaught exception handler), and the end of a virtual thread's run. A captured thread's record
     * ends.
     */
    public static void threadEnded(Thread thread) {
        if (!threadsCaptured) {
            return;
        }
        CapturedThread captured;
        synchronized (THREADS) {
            captured = THREADS.remove(thread);
        }
        if (captured != null) {
            ended(captured.record, thread, captured.failure);
        }
    }

    /** The record of {@code thread}'s capture, if it was captured at its start and has not ended; else null. */
    static Object threadRecord(Thread thread) {
        if (!threadsCaptured) {
            return null;
        }
        CapturedThread captured;
        synchronized (THREADS) {
            captured = THREADS.get(thread);
        }
        return captured == null ? null : captured.record;
    }

    /** A captured thread's record and, once its run has thrown, the failure. */
    private static final class CapturedThread {
        final Object record;
        /** Written and read by the captured thread itself. */
        Throwable failure;

        CapturedThread(Object record) {
            this.record = record;
        }
    }

    /** A captured task's run has ended: never throws into the executor's worker. */
    static void ended(Object record, Object task, Throwable failure) {
        CaptureTarget agent = target;
        if (agent != null) {
            try {
                agent.ended(record, task, failure);
            } catch (Throwable ignored) {
                // The agent must never break the application's worker thread.
            }
        }
    }
}
