package dev.waituntil.agent.runtime;

/**
 * The futures of the last few pieces of captured work ({@code runAsync}'s) that ended, of one request or of one task
 * that belongs to no request: a registration of one of them, after its work has ended, must not count the work again
 * ({@link CapturedFutures}). A registration comes right after its {@code runAsync}, so a few suffice; the futures go
 * with the request or the task that remembers them.
 */
final class EndedFutures {

    /** How many ended futures are remembered. */
    static final int KEPT = 16;

    private final Object[] futures = new Object[KEPT];
    private int next;

    synchronized void add(Object future) {
        futures[next] = future;
        next = (next + 1) % KEPT;
    }

    synchronized boolean contains(Object future) {
        for (Object f : futures) {
            if (f == future) {
                return true;
            }
        }
        return false;
    }
}
