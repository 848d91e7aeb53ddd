package dev.waituntil.bootstrap;

import java.util.concurrent.Callable;

/** A {@code Callable} captured on its way to an executor: see {@link CapturedRunnable}. */
public final class CapturedCallable<T> implements Callable<T> {

    final Callable<T> task;
    /** The agent's record of the task. */
    final Object record;

    public CapturedCallable(Callable<T> task, Object record) {
        this.task = task;
        this.record = record;
    }

    @Override
    public T call() throws Exception {
        Object outer = RequestContext.enterTask(record);
        Throwable failure = null;
        try {
            return task.call();
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
