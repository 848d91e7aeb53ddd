package dev.waituntil.agent.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many tasks were registered, and how they ended, since the agent started: for operators (JMX).
 * Adders, not atomics: every registration and completion counts, on whichever thread it happens.
 */
final class TaskCounters {

    private final LongAdder registered = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelled = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    void registered() {
        registered.increment();
    }

    void completed() {
        completed.increment();
    }

    void failed() {
        failed.increment();
    }

    void cancelled() {
        cancelled.increment();
    }

    void rejected() {
        rejected.increment();
    }

    long registeredCount() {
        return registered.sum();
    }

    long completedCount() {
        return completed.sum();
    }

    long failedCount() {
        return failed.sum();
    }

    long cancelledCount() {
        return cancelled.sum();
    }

    long rejectedCount() {
        return rejected.sum();
    }
}
