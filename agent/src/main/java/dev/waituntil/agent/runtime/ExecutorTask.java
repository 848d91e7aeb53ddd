package dev.waituntil.agent.runtime;

import dev.waituntil.bootstrap.RequestContext;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BiConsumer;

/**
 * Work started by {@code run}/{@code supply}: the {@link CompletableFuture} the caller gets, driving
 * a {@link FutureTask} that does the work. {@code CompletableFuture.cancel} never interrupts;
 * {@code FutureTask.cancel(true)} does, and handles the race with a finishing task correctly, so
 * cancelling this future (by the caller, or by a drain at its deadline) interrupts the work.
 *
 * <p>This object is also the {@link Callable} that the {@code FutureTask} calls, and it holds the body as the
 * caller gave it (a {@code Runnable} for {@code run}, a {@code Callable} for {@code supply}): a task costs this
 * object and its {@code FutureTask}, with no adapter or lambda between them.
 */
final class ExecutorTask<T> extends CompletableFuture<T> implements Runnable, Callable<T> {

    /** A {@code Runnable} when {@link #runnable}, else a {@code Callable<T>}. */
    private final Object body;

    private final boolean runnable;
    private final TaskContext context;
    private final FutureTask<T> work;
    /**
     * The task's record in the runtime, told when the work has ended. Set before the task is admitted to its scope,
     * so before anything can run or cancel it; reached by the worker through the executor's queue and by a drain
     * through the scope's set, both of which publish it.
     */
    private BiConsumer<Object, Throwable> onEnd;

    private ExecutorTask(Object body, boolean runnable, TaskContext context) {
        this.body = body;
        this.runnable = runnable;
        this.context = context;
        this.work = new FutureTask<T>(this) {
            @Override
            protected void done() {
                relay();
            }
        };
    }

    /** The work of {@code supply}: {@code body}'s value is the future's. */
    static <T> ExecutorTask<T> calling(Callable<T> body, TaskContext context) {
        return new ExecutorTask<>(body, false, context);
    }

    /** The work of {@code run}: the future completes with null. */
    static ExecutorTask<Void> running(Runnable body, TaskContext context) {
        return new ExecutorTask<>(body, true, context);
    }

    /**
     * Tells {@code record} how the work ended, once it has: the runtime tracks the work itself, not this future,
     * which the caller may complete early, and needs no {@code whenComplete} callback (64 bytes a task) for it.
     */
    void reportTo(BiConsumer<Object, Throwable> record) {
        this.onEnd = record;
    }

    /** What the executor runs. */
    @Override
    public void run() {
        work.run();
    }

    /** What the {@code FutureTask} calls, once: the body, with the caller's context (see {@link TaskContext#call}). */
    @Override
    @SuppressWarnings("unchecked")
    public T call() throws Exception {
        // Marks the worker as running this task: work the body hands to an executor is captured as the task's.
        Object outer = RequestContext.enterTask(onEnd);
        try {
            if (runnable) {
                context.run((Runnable) body);
                return null;
            }
            return context.call((Callable<T>) body);
        } finally {
            RequestContext.exitTask(outer);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        work.cancel(mayInterruptIfRunning);
        return super.cancel(mayInterruptIfRunning) || isCancelled();
    }

    /** The work has ended (done, failed or cancelled): the caller's future follows, then the task's record. */
    private void relay() {
        T value = null;
        Throwable failure = null;
        try {
            value = work.get();
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (CancellationException e) {
            failure = e;
        } catch (InterruptedException e) {
            // Cannot happen: done() runs after the outcome is set. Keep the flag for the worker anyway.
            Thread.currentThread().interrupt();
            failure = e;
        }
        if (failure instanceof CancellationException) {
            super.cancel(false);
        } else if (failure != null) {
            completeExceptionally(failure);
        } else {
            complete(value);
        }
        BiConsumer<Object, Throwable> record = onEnd;
        if (record != null) {
            record.accept(value, failure);
        }
    }
}
