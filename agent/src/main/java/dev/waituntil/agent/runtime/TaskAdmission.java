package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.log.LogText;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;

/**
 * Lets a task into its scope, or refuses it: after its scope has been drained, or when the executor's
 * queue is full. A refusal is counted and its message names the task and why.
 */
final class TaskAdmission {

    private static final Logger LOG = AgentLog.get(TaskAdmission.class);

    private final TaskExecutor executor;
    private final TaskCompletion completion;
    private final TaskCounters counters;
    private final DrainSignal drains;
    private final CapturedFutures capturedFutures;
    private final TaskEvents events;
    private final boolean debug;
    /**
     * The blocks of ids handed out so far, by stripe: block {@code n} of stripe {@code s} is number {@code n *
     * STRIPES + s}, ids {@code number * ID_BLOCK + 1} to {@code (number + 1) * ID_BLOCK}.
     */
    private final AtomicLongArray blocks = new AtomicLongArray(PendingTasks.STRIPES);
    /** The threads that have registered, each given the next stripe in turn. */
    private final AtomicInteger threads = new AtomicInteger();
    /**
     * Each thread's block of ids: {next, end, stripe}. A task's id only has to be unique in the runtime (its events and
     * the operators' list name it; "oldest first" goes by registration time), so threads that register at once need
     * not all increment one counter. A thread keeps its stripe ({@link PendingTasks}: the list, and the lock, its
     * tasks go into) from block to block, so that up to {@link PendingTasks#STRIPES} threads registering at once never
     * share a lock. Small blocks: with a virtual thread per request, each request takes a block.
     */
    private final ThreadLocal<long[]> idBlock =
            ThreadLocal.withInitial(() -> new long[] {0, 0, threads.getAndIncrement() & (PendingTasks.STRIPES - 1)});

    /** A power of 2: {@link PendingTasks} finds a task's stripe from its id's block. */
    static final int ID_BLOCK = 64;

    TaskAdmission(
            TaskExecutor executor,
            TaskCompletion completion,
            TaskCounters counters,
            DrainSignal drains,
            boolean debug) {
        this.capturedFutures = completion.capturedFutures();
        this.events = completion.events();
        this.executor = executor;
        this.completion = completion;
        this.counters = counters;
        this.drains = drains;
        this.debug = debug;
    }

    /** See {@link TaskRuntime#register}. */
    TrackedTask register(String label, Object future, Scope scope, RequestInfo request) {
        Objects.requireNonNull(future, "task must not be null");
        if (!(future instanceof CompletionStage) && !(future instanceof Future)) {
            throw new IllegalArgumentException("task must be a CompletionStage or a Future, not "
                    + future.getClass().getName());
        }
        TrackedTask task = track(label, future, scope, request);
        Object captured = future instanceof CompletableFuture ? capturedFutures.of(future, request) : null;
        if (captured == null) {
            admit(task, true);
        } else {
            // Captured work, counted as registered when it was handed over. Admitted before the captured record goes,
            // so that a drain sees one or the other; in a drained scope, the captured record stays.
            admit(task, false);
            if (!(captured instanceof TrackedTask && completion.discard((TrackedTask) captured))) {
                task.outcomeCounted(true); // the captured record ended first, and counted how
            } else {
                endsWith(task, (TrackedTask) captured);
            }
        }
        if (future instanceof CompletionStage) {
            // May run at once, on this thread, if the stage has already completed.
            ((CompletionStage<?>) future).whenComplete(task);
        } else {
            scope.plainFutures.add(task);
            drains.signal(); // a waiting drain must start waiting on this future too
        }
        return task;
    }

    /** See {@link TaskRuntime#run}. */
    CompletableFuture<Void> run(String label, Runnable body, Scope scope, RequestInfo request, TaskContext context) {
        Objects.requireNonNull(body, "task must not be null");
        return start(label, ExecutorTask.running(body, context != null ? context : TaskContext.none()), scope, request);
    }

    /** See {@link TaskRuntime#supply}. */
    <T> CompletableFuture<T> supply(
            String label, Callable<T> body, Scope scope, RequestInfo request, TaskContext context) {
        Objects.requireNonNull(body, "task must not be null");
        return start(label, ExecutorTask.calling(body, context != null ? context : TaskContext.none()), scope, request);
    }

    /** See {@link TaskRuntime#capture}. */
    TrackedTask capture(String via, Object work, Scope scope, RequestInfo request) {
        TrackedTask task = new TrackedTask(completion, nextId(), null, work, scope, request, via);
        scope.tasks.add(task);
        // As in admit: checked after the add, so that either a drain sees the task or this thread the closed scope.
        if (scope.isDrained()) {
            completion.discard(task);
            return null;
        }
        counters.registered(scope);
        events.started(task);
        if (debug) {
            LOG.info("wait-until: captured {} in {}", task.describe(), scope);
        }
        return task;
    }

    private <T> CompletableFuture<T> start(String label, ExecutorTask<T> work, Scope scope, RequestInfo request) {
        TrackedTask task = track(label, work, scope, request);
        work.reportTo(task); // before admit: a drain may cancel the task as soon as it is in the scope
        admit(task, true);
        try {
            executor.execute(work);
        } catch (RejectedExecutionException e) {
            completion.discard(task);
            throw reject(task, e.getMessage());
        }
        return work;
    }

    private TrackedTask track(String label, Object future, Scope scope, RequestInfo request) {
        return new TrackedTask(completion, nextId(), label, future, scope, request);
    }

    /** A new id, unique in this runtime; from 1, in order within each block of 64, on a thread that registers alone. */
    private long nextId() {
        long[] block = idBlock.get();
        long id = block[0];
        if (id == block[1]) {
            int stripe = (int) block[2];
            long number = blocks.getAndIncrement(stripe) * PendingTasks.STRIPES + stripe;
            id = number * ID_BLOCK + 1;
            block[1] = id + ID_BLOCK;
        }
        block[0] = id + 1;
        return id;
    }

    /** @param count whether to count it as registered: not when it is captured work, counted already */
    private void admit(TrackedTask task, boolean count) {
        Scope scope = task.scope();
        scope.tasks.add(task);
        // Checked after the add. A drain closes the scope, then waits once more for what is in it:
        // either it sees this task, or this thread sees the scope closed.
        if (scope.isDrained()) {
            completion.discard(task);
            throw reject(task, scope.drainedReason() + "; no new background work is accepted");
        }
        if (count) {
            counters.registered(scope);
        }
        events.started(task);
        if (debug) {
            LOG.info("wait-until: registered {} in {}", task.describe(), scope);
        }
    }

    /**
     * Whoever waits for the end of the captured work that {@code task} adopts (a listener heard it start) is told when
     * {@code task} ends.
     */
    private static void endsWith(TrackedTask task, TrackedTask adopted) {
        CompletableFuture<Object[]> waited = adopted.endSignal();
        if (waited == null) {
            return;
        }
        CompletableFuture<Object[]> own = task.endSignal();
        if (own == null) {
            task.endSignal(waited);
        } else {
            own.thenAccept(waited::complete);
        }
    }

    private RejectedExecutionException reject(TrackedTask task, String reason) {
        counters.rejected(task.scope());
        events.ended(task, TaskCompletion.REJECTED, null, true);
        String message = "wait-until rejected task " + LogText.quote(task.label()) + ": " + reason;
        if (debug) {
            LOG.info(message);
        }
        return new RejectedExecutionException(message);
    }
}
