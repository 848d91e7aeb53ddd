package dev.waituntil.bootstrap;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A captured task that is also a {@code Future} (what {@code submit} hands to {@code execute}): still a
 * {@code Future} to the executor, with the task's own answers, for a pool's {@code afterExecute} that reads the
 * outcome, {@code purge()}, and whoever casts what {@code shutdownNow()} returns.
 */
public final class CapturedFuture extends CapturedRunnable implements RunnableFuture<Object> {

    public CapturedFuture(Runnable task, Object record) {
        super(task, record);
        if (!(task instanceof Future)) {
            throw new IllegalArgumentException(
                    "not a Future: " + task.getClass().getName());
        }
    }

    @SuppressWarnings("unchecked")
    private Future<Object> future() {
        return (Future<Object>) task;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return future().cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        return future().isCancelled();
    }

    @Override
    public boolean isDone() {
        return future().isDone();
    }

    @Override
    public Object get() throws InterruptedException, ExecutionException {
        return future().get();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return future().get(timeout, unit);
    }
}
