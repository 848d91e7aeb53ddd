package dev.waituntil.bootstrap;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A task captured on its way to an executor: it runs the application's task with its thread marked as running the
 * agent's record of it ({@link RequestContext#enterTask}), so that work it hands on is captured too, and reports its
 * end. It holds the application's task only as long as the executor holds it.
 */
public class CapturedRunnable implements Runnable {

    private static final int QUEUED = 0;
    private static final int RUN = 1;
    private static final int DROPPED = 2;
    private static final AtomicIntegerFieldUpdater<CapturedRunnable> STATE =
            AtomicIntegerFieldUpdater.newUpdater(CapturedRunnable.class, "state");

    final Runnable task;
    /** The agent's record of the task. */
    final Object record;
    /**
     * Whether the executor has run the task or dropped it, decided once: a drop the agent sees (a discard policy,
     * {@code purge}, {@code remove}) ends the record, and a run after that, which a race with a worker may still
     * bring, is the application's work run untracked, never a second end of the record.
     */
    private volatile int state;

    /** Made by the agent; {@link CapturedFuture} where {@code task} is a {@code Future}. */
    public CapturedRunnable(Runnable task, Object record) {
        this.task = task;
        this.record = record;
    }

    @Override
    public void run() {
        if (!STATE.compareAndSet(this, QUEUED, RUN)) {
            task.run();
            return;
        }
        Object outer = RequestContext.enterTask(record);
        Throwable failure = null;
        try {
            task.run();
        } catch (Throwable e) {
            failure = e;
            throw e;
        } finally {
            RequestContext.exitTask(outer);
            CaptureHooks.ended(record, task, failure);
        }
    }

    /** The executor will not run this task: true once, if it has not started it (nor been dropped) already. */
    boolean drop() {
        return STATE.compareAndSet(this, QUEUED, DROPPED);
    }

    @Override
    public String toString() {
        return task.toString();
    }
}
