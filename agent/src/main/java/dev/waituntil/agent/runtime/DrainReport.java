package dev.waituntil.agent.runtime;

import java.util.List;

/** What a drain did: how long it took, and which tasks were still pending at its deadline. */
public final class DrainReport {

    private final String scope;
    private final long elapsedNanos;
    private final List<String> leftPending;
    private final int cancelledAtDeadline;

    DrainReport(String scope, long elapsedNanos, List<String> leftPending, int cancelledAtDeadline) {
        this.scope = scope;
        this.elapsedNanos = elapsedNanos;
        this.leftPending = leftPending;
        this.cancelledAtDeadline = cancelledAtDeadline;
    }

    public boolean timedOut() {
        return !leftPending.isEmpty() || cancelledAtDeadline > 0;
    }

    /** Tasks cancelled at a deadline while this drain ran, by it or by another drain of the same stop. */
    public int cancelledAtDeadline() {
        return cancelledAtDeadline;
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
        String outcome = !leftPending.isEmpty()
                ? leftPending.size() + " still pending"
                : cancelledAtDeadline > 0
                        ? "the deadline passed; " + cancelledAtDeadline + " task(s) cancelled"
                        : "all tasks finished";
        return "drain of " + scope + ": " + (elapsedNanos / 1_000_000) + " ms, " + outcome;
    }
}
