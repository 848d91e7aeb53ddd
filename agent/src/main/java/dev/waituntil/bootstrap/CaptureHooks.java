package dev.waituntil.bootstrap;

import java.util.concurrent.Callable;

/**
 * What the capture advice calls when work is handed to an executor of the JDK. The advice is inlined into the
 * JDK's own classes, loaded by the bootstrap loader, so it may reference only this package and the JDK. Outside a
 * request or a tracked task, the check costs one thread-local read and hands the task back unchanged.
 */
public final class CaptureHooks {

    private static volatile CaptureTarget target;

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
        context.capturing = true;
        try {
            return agent.capture(executor, task, via, context);
        } finally {
            context.capturing = false;
        }
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
            agent.rejected(((CapturedRunnable) task).record);
        } else if (task instanceof CapturedCallable) {
            agent.rejected(((CapturedCallable<?>) task).record);
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
