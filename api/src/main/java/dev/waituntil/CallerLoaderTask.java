package dev.waituntil;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs the work with the caller's context class loader. A FutureTask does the work: unlike
 * CompletableFuture, its cancel(true) interrupts the thread. A class of its own rather than an anonymous
 * one, so that the shutdown hook can load it ahead with {@link ClassPreloader}: its {@code done()} may run after
 * the container stopped the application.
 */
final class CallerLoaderTask<T> extends FutureTask<T> {
    private final ClassLoader caller;
    private final CompletableFuture<T> result;

    CallerLoaderTask(Callable<T> task, ClassLoader caller, CompletableFuture<T> result) {
        super(task);
        this.caller = caller;
        this.result = result;
    }

    @Override
    public void run() {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        thread.setContextClassLoader(caller);
        try {
            super.run();
        } finally {
            thread.setContextClassLoader(own);
        }
    }

    @Override
    protected void done() {
        try {
            result.complete(get());
        } catch (ExecutionException e) {
            result.completeExceptionally(e.getCause());
        } catch (CancellationException | InterruptedException e) {
            result.cancel(false);
        }
    }
}
