package dev.waituntil.agent.runtime;

import java.util.List;

/** What a drain did: how long it took, and which tasks were still pending at its deadline. */
public final class DrainReport {

    private final String scope;
    private final long elapsedNanos;
    private final List<String> leftPending;

    DrainReport(String scope, long elapsedNanos, List<String> leftPending) {
        this.scope = scope;
        this.elapsedNanos = elapsedNanos;
        this.leftPending = leftPending;
    }

    public boolean timedOut() {
        return !leftPending.isEmpty();
    }

    public long elapsedNanos() {
        return elapsedNanos;
    }

    /** The tasks still pending at the deadline, as their log lines describe them. */
    public List<String> leftPending() {
        return leftPending;
    }

    @Override
    public String toString() {
        return "drain of " + scope + ": " + (elapsedNanos / 1_000_000) + " ms, "
                + (leftPending.isEmpty() ? "all tasks finished" : leftPending.size() + " still pending");
    }
}
