package dev.waituntil.agent.runtime;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work started by {@code run}/{@code supply}: the {@link CompletableFuture} the caller gets, driving
 * a {@link FutureTask} that does the work. {@code CompletableFuture.cancel} never interrupts;
 * {@code FutureTask.cancel(true)} does, and handles the race with a finishing task correctly, so
 * cancelling this future (by the caller, or by a drain at its deadline) interrupts the work.
 */
final class ExecutorTask<T> extends CompletableFuture<T> implements Runnable {

    private final FutureTask<T> work;

    ExecutorTask(Callable<T> body, TaskContext context) {
        this.work = new FutureTask<T>(() -> context.call(body)) {
            @Override
            protected void done() {
                relay();
            }
        };
    }

    @Override
    public void run() {
        work.run();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        work.cancel(mayInterruptIfRunning);
        return super.cancel(mayInterruptIfRunning) || isCancelled();
    }

    private void relay() {
        if (work.isCancelled()) {
            super.cancel(false);
            return;
        }
        try {
            complete(work.get());
        } catch (ExecutionException e) {
            completeExceptionally(e.getCause());
        } catch (CancellationException e) {
            super.cancel(false);
        } catch (InterruptedException e) {
            // Cannot happen: done() runs after the outcome is set. Keep the flag for the worker anyway.
            Thread.currentThread().interrupt();
            completeExceptionally(e);
        }
    }
}
