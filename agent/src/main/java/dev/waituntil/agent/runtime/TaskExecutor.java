package dev.waituntil.agent.runtime;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool that runs {@code run}/{@code supply} work: a fixed number of daemon threads
 * named {@code wait-until-worker-N}, and a bounded queue; when it is full, the caller is told.
 *
 * <p>All threads are started up front, from the thread that creates the runtime (the agent's
 * start-up, outside any application). A thread started lazily would be created by an
 * application's request thread and inherit its context class loader and inheritable thread-locals;
 * the threads added when an application gives more ({@link #resize}) are made by {@link AgentThreads}, which
 * refuses that inheritance.
 */
final class TaskExecutor {

    private final ThreadPoolExecutor pool;
    private volatile int threads;
    private final int queue;

    TaskExecutor(int threads, int queue) {
        this.threads = threads;
        this.queue = queue;
        BlockingQueue<Runnable> work =
                queue == 0 ? new SynchronousQueue<Runnable>() : new ArrayBlockingQueue<Runnable>(queue);
        this.pool = new ThreadPoolExecutor(
                threads, threads, 0, TimeUnit.MILLISECONDS, work, new Workers(), new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
    }

    /** @throws RejectedExecutionException with the reason, when the queue is full or the pool is shut down */
    void execute(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the executor has been shut down");
            }
            throw new RejectedExecutionException("the executor's queue is full (" + queue + " tasks waiting for "
                    + threads + " threads; raise waituntil.executor.queue or waituntil.executor.threads)");
        }
    }

    /** Grows or shrinks the pool; idle threads above the new size leave, busy ones when their task ends. */
    synchronized void resize(int newThreads) {
        if (newThreads == threads) {
            return;
        }
        if (newThreads > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(newThreads);
            pool.setCorePoolSize(newThreads);
            pool.prestartAllCoreThreads();
        } else {
            pool.setCorePoolSize(newThreads);
            pool.setMaximumPoolSize(newThreads);
        }
        threads = newThreads;
    }

    int threads() {
        return threads;
    }

    boolean isShutdown() {
        return pool.isShutdown();
    }

    void shutdown() {
        pool.shutdown();
    }

    private static final class Workers implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            return AgentThreads.newThread(r, "wait-until-worker-" + count.incrementAndGet());
        }
    }
}
