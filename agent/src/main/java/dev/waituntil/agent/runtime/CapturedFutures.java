package dev.waituntil.agent.runtime;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * The futures that captured work completes ({@code CompletableFuture.runAsync}'s), each with its captured record, so
 * that registering such a future adopts the work instead of counting it a second time.
 *
 * <p>The keys are weak: the map never keeps a future, nor through it the application's work. A record is held only
 * while it is pending, which its scope does anyway; once it has ended, its entry holds a shared marker instead, so
 * that a later registration still knows the work was counted. A future's identity is its key: {@code
 * CompletableFuture} keeps {@code Object}'s {@code equals} and {@code hashCode}. One lock, taken only for captured
 * {@code CompletableFuture} work and its registration.
 */
final class CapturedFutures {

    /** What a future's entry holds once its captured record has ended. */
    private static final Object ENDED = new Object();

    private final Map<Object, Object> records = new WeakHashMap<Object, Object>();
    /** Whether any future has been linked: until then, a registration takes no lock. */
    private volatile boolean used;

    /** {@code record}'s work completes {@code future}; it may have ended already. */
    void link(TrackedTask record, Object future) {
        used = true;
        synchronized (records) {
            record.completes = future;
            records.put(future, record.isDone() ? ENDED : record);
        }
    }

    /** {@code record} has finished: its entry, if it has one, no longer holds it. */
    void ended(TrackedTask record) {
        // Volatile both: link() writes the link, then reads the state; the end wrote the state, and reads the link.
        // Either this sees the link, or link() sees the record finished.
        Object future = record.completes;
        if (future != null) {
            synchronized (records) {
                records.put(future, ENDED);
            }
        }
    }

    /**
     * What is known of {@code future} as captured work, for its registration: its pending record, or a marker for
     * captured work that has ended (or been adopted by a registration already), or null for work that was not
     * captured.
     */
    Object of(Object future) {
        if (!used) {
            return null;
        }
        synchronized (records) {
            return records.get(future);
        }
    }
}
