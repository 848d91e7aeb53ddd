package dev.waituntil.agent.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the server (or the JVM) is stopping, and the one deadline every drain of that stop shares:
 * several hooks drain during one stop (the container's, each application's, the JVM shutdown hook), and
 * together they must not take longer than one drain timeout.
 */
final class ShutdownState {

    /** The stop's deadline in {@link System#nanoTime()} terms; 0: not stopping. */
    private final AtomicLong deadline = new AtomicLong();

    /**
     * The stop has begun: fixes its deadline {@code timeout} from now, unless an earlier hook of the same
     * stop fixed it already.
     *
     * @return the stop's deadline
     */
    Deadline begin(Duration timeout) {
        long candidate = Deadline.in(timeout).nanoTime();
        if (candidate == 0) {
            candidate = 1; // 0 means "not stopping"
        }
        return Deadline.at(deadline.compareAndSet(0, candidate) ? candidate : deadline.get());
    }

    boolean isStopping() {
        return deadline.get() != 0;
    }

    /**
     * The deadline of a drain that would take {@code timeout} on its own: that, or the stop's if one is
     * under way and ends first.
     */
    Deadline deadlineFor(Duration timeout) {
        Deadline own = Deadline.in(timeout);
        long stop = deadline.get();
        return stop != 0 ? own.earlier(Deadline.at(stop)) : own;
    }

    /**
     * A server starts again after the stop: its deadline is forgotten.
     *
     * @return whether a stop had begun
     */
    boolean forget() {
        return deadline.getAndSet(0) != 0;
    }
}
