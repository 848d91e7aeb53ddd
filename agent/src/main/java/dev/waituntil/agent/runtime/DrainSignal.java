package dev.waituntil.agent.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wakes the drains that wait for a scope to empty. Completions and requests that end call {@link #signal}
 * on every thread of the application, so it costs one volatile read while no drain waits.
 */
final class DrainSignal {

    private final Object monitor = new Object();
    private final AtomicInteger waiting = new AtomicInteger();

    /** Whether a drain is waiting now. */
    boolean anyWaiting() {
        return waiting.get() > 0;
    }

    /** Wakes every waiting drain, to look again; nothing when none waits. */
    void signal() {
        if (waiting.get() > 0) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** A drain starts waiting: from now on, {@link #signal} wakes it. Paired with {@link #leave}. */
    void enter() {
        waiting.incrementAndGet();
    }

    void leave() {
        waiting.decrementAndGet();
    }

    /**
     * Waits until {@code done} holds, {@code lookElsewhere} holds or the deadline passes. Both are checked
     * under the monitor that {@link #signal} takes, so that a signal between a check and the wait is not lost.
     */
    Outcome await(Condition done, Condition lookElsewhere, Deadline deadline) throws InterruptedException {
        synchronized (monitor) {
            while (true) {
                if (done.holds()) {
                    return Outcome.DONE;
                }
                if (lookElsewhere.holds()) {
                    return Outcome.LOOK_ELSEWHERE;
                }
                long remaining = deadline.remainingNanos();
                if (remaining <= 0) {
                    return Outcome.DEADLINE;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
            }
        }
    }

    /** A check made under the monitor. */
    interface Condition {
        boolean holds();
    }

    /** Why {@link #await} returned. */
    enum Outcome {
        DONE,
        LOOK_ELSEWHERE,
        DEADLINE
    }
}
