package dev.waituntil.agent.instrumentation;

import dev.waituntil.agent.log.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Byte Buddy's warm-up on a daemon thread of its own ({@code wait-until-warmup}): the work that makes Byte Buddy's
 * type pool, type descriptions, ASM and {@code Advice} loaded and initialized while the application
 * starts on the other threads, not when it loads its first class to instrument. A class to instrument that comes
 * before the warm-up has finished waits for it ({@link #await}): two threads that initialize Byte Buddy's classes at
 * once could deadlock on its class initializers, which refer to each other. Classes that nothing instruments never
 * wait. Start-up work that need not compete with the warm-up for the processors runs after it ({@link #then}).
 */
final class WarmUp {

    private static final Logger LOG = AgentLog.get(WarmUp.class);

    static final long WAIT_SECONDS = 60;

    /** Counted down when the warm-up has finished, well or not. */
    private final CountDownLatch warm = new CountDownLatch(1);
    /** The warm-up's thread while it runs; null when there is none. */
    private volatile Thread thread;
    /** What waits for the end of the warm-up ({@link #then}); guarded by this. */
    private final List<Runnable> after = new ArrayList<Runnable>();

    /** Runs {@code work}, which reports its own failures, on the thread {@code wait-until-warmup}. */
    void start(final Runnable work) {
        Thread started = new Thread(
                new Runnable() {
                    @Override
                    public void run() {
                        try {
                            work.run();
                        } finally {
                            List<Runnable> actions;
                            synchronized (WarmUp.this) {
                                thread = null;
                                warm.countDown();
                                actions = new ArrayList<Runnable>(after);
                                after.clear();
                            }
                            for (Runnable action : actions) {
                                runQuietly(action);
                            }
                        }
                    }
                },
                "wait-until-warmup");
        started.setDaemon(true);
        started.setContextClassLoader(WarmUp.class.getClassLoader());
        thread = started;
        started.start();
    }

    /**
     * Runs {@code action} once the warm-up has finished, on its thread; at once, here, if there is no warm-up or it
     * has finished.
     */
    void then(Runnable action) {
        synchronized (this) {
            if (thread != null && warm.getCount() > 0) {
                after.add(action);
                return;
            }
        }
        runQuietly(action);
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (Throwable e) {
            LOG.warn("wait-until: a start-up task failed ({})", e.toString());
        }
    }

    /**
     * Waits, if the warm-up runs, until it has finished; false if it did not within {@value #WAIT_SECONDS}
     * seconds (then Byte Buddy is not used on this thread: it would wait for the same class initializers).
     */
    boolean await() {
        Thread running = thread;
        if (running == null || running == Thread.currentThread()) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return warm.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) { // a class is being loaded: finish that, and keep the interrupt
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
