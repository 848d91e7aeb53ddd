package dev.waituntil.bootstrap;

/**
 * A task captured on its way to an executor: it runs the application's task with its thread marked as running the
 * agent's record of it ({@link RequestContext#enterTask}), so that work it hands on is captured too, and reports its
 * end. It holds the application's task only as long as the executor holds it.
 */
public class CapturedRunnable implements Runnable {

    final Runnable task;
    /** The agent's record of the task. */
    final Object record;

    /** Made by the agent; {@link CapturedFuture} where {@code task} is a {@code Future}. */
    public CapturedRunnable(Runnable task, Object record) {
        this.task = task;
        this.record = record;
    }

    @Override
    public void run() {
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

    @Override
    public String toString() {
        return task.toString();
    }
}
