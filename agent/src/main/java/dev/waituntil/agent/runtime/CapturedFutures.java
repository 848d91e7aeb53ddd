package dev.waituntil.agent.runtime;

import dev.waituntil.bootstrap.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The futures that captured work completes ({@code CompletableFuture.runAsync}'s), each with its captured record, so
 * that registering such a future adopts the work instead of counting it a second time.
 *
 * <p>A future is held here only while its record is pending, which the record's work (and its scope) does anyway:
 * the entry goes when the record ends or is adopted. A registration that comes after the work has ended must still
 * not count it again; the request the work was handed over in remembers the last few futures of its captured work
 * that ended ({@link EndedFutures}), and lets go of them with the request; work handed over in a task that belongs to
 * no request is remembered by that task's record in the same way. No weak references: every {@code runAsync} in a
 * request would give the garbage collector one to process.
 *
 * <p>A future's identity is its key: only {@code CompletableFuture} itself is linked and looked up (what {@code
 * runAsync} returns), which keeps {@code Object}'s {@code equals} and {@code hashCode}; a subclass that overrides
 * them cannot match another future.
 */
final class CapturedFutures {

    /** What {@link #of} gives for captured work that has ended, or been adopted by a registration already. */
    static final Object ENDED = new Object();

    private final ConcurrentHashMap<Object, TrackedTask> pending = new ConcurrentHashMap<Object, TrackedTask>();
    /** Whether any future has been linked: until then, a registration looks nothing up. */
    private volatile boolean used;

    /** {@code record}'s work completes {@code future}; it may have ended already. */
    void link(TrackedTask record, Object future) {
        if (future.getClass() != CompletableFuture.class) {
            return;
        }
        if (!used) {
            used = true;
        }
        if (record.request() == null) {
            // Handed over in a task without a request, on this thread: that task remembers the work once it has ended.
            Object running = RequestContext.runningTask();
            if (running instanceof TrackedTask) {
                record.handedOverIn((TrackedTask) running);
            }
        }
        if (!record.isDone()) {
            record.completes(future);
        }
        // Volatile both: this writes the link, then reads the state; the end writes the state, then reads the link.
        // Either the end sees the link and forgets the entry, or this sees the record finished and does.
        if (record.isDone()) {
            // Ended already (run on this thread, or by a quick worker): no entry to make, nor a link to keep.
            remember(record, future);
            return;
        }
        pending.put(future, record);
        if (record.isDone()) {
            forget(record, future);
        }
    }

    /** {@code record} has finished: its entry, if it has one, goes. */
    void ended(TrackedTask record) {
        Object future = record.completes();
        if (future != null) {
            forget(record, future);
        }
    }

    /**
     * What is known of {@code future} as captured work, for its registration on this thread in {@code request} (null:
     * none, then in the task this thread runs): its pending record, or {@link #ENDED} for captured work of that
     * request or task that has ended (or been adopted by a registration already), or null for work that was not
     * captured.
     */
    Object of(Object future, RequestInfo request) {
        if (!used || future.getClass() != CompletableFuture.class) {
            return null;
        }
        TrackedTask record = pending.get(future);
        if (record != null) {
            return record;
        }
        if (request != null) {
            return request.endedCapturedWork(future) ? ENDED : null;
        }
        Object running = RequestContext.runningTask();
        return running instanceof TrackedTask && ((TrackedTask) running).endedCapturedWork(future) ? ENDED : null;
    }

    /** The futures held now: those of pending captured work. */
    int size() {
        return pending.size();
    }

    private void forget(TrackedTask record, Object future) {
        // The request learns first, so that a registration finds the work in one place or the other. The end and a
        // link that came after it may both tell it: the same future twice is harmless.
        if (pending.get(future) == record) {
            remember(record, future);
            pending.remove(future, record);
        }
    }

    /** The request or the task {@code record}'s work was handed over in remembers that the work has ended. */
    private static void remember(TrackedTask record, Object future) {
        RequestInfo request = record.request();
        if (request != null) {
            request.capturedWorkEnded(future);
            return;
        }
        TrackedTask handedOverIn = record.handedOverIn();
        if (handedOverIn != null) {
            handedOverIn.capturedWorkEnded(future);
        }
    }
}
