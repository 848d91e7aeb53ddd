package dev.waituntil.agent.runtime;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many tasks were registered, and how they ended, since the agent started: for operators (JMX), in all and
 * per application (each {@link Scope} has its own). Adders, not atomics: every registration and completion counts,
 * on whichever thread it happens.
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

    /** Counts here and in {@code scope}'s own counters. */
    void registered(Scope scope) {
        registered.increment();
        scope.counts.registered.increment();
    }

    void completed() {
        completed.increment();
    }

    /** Counts here and in {@code scope}'s own counters. */
    void completed(Scope scope) {
        completed.increment();
        scope.counts.completed.increment();
    }

    void failed() {
        failed.increment();
    }

    /** Counts here and in {@code scope}'s own counters. */
    void failed(Scope scope) {
        failed.increment();
        scope.counts.failed.increment();
    }

    void cancelled() {
        cancelled.increment();
    }

    /** Counts here and in {@code scope}'s own counters. */
    void cancelled(Scope scope) {
        cancelled.increment();
        scope.counts.cancelled.increment();
    }

    void rejected() {
        rejected.increment();
    }

    /** Counts here and in {@code scope}'s own counters. */
    void rejected(Scope scope) {
        rejected.increment();
        scope.counts.rejected.increment();
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
