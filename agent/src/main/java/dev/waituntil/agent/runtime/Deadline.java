package dev.waituntil.agent.runtime;

import java.time.Duration;

/**
 * A moment by which a drain must end, in {@link System#nanoTime()} terms. Made from a timeout in one
 * place, so that every drain caps "never" (a huge timeout) the same way: far enough from overflow that
 * two deadlines can still be compared by subtraction, as {@code nanoTime} values must be.
 */
final class Deadline {

    /** The longest timeout taken as given; anything longer is "never", which is this far away. */
    static final long NEVER_NANOS = Long.MAX_VALUE / 4;

    private final long nanoTime;

    private Deadline(long nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** {@code timeout} from now; a timeout too long for a {@code long} of nanoseconds is "never". */
    static Deadline in(Duration timeout) {
        return at(System.nanoTime() + Math.min(saturatedNanos(timeout), NEVER_NANOS));
    }

    /** The deadline at {@code nanoTime}, a value {@link #nanoTime()} returned. */
    static Deadline at(long nanoTime) {
        return new Deadline(nanoTime);
    }

    long nanoTime() {
        return nanoTime;
    }

    /** Nanoseconds left from now; 0 or less once it has passed. */
    long remainingNanos() {
        return nanoTime - System.nanoTime();
    }

    /** Whichever of the two comes first. */
    Deadline earlier(Deadline other) {
        return other.nanoTime - nanoTime < 0 ? other : this;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Deadline && ((Deadline) o).nanoTime == nanoTime;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nanoTime);
    }

    @Override
    public String toString() {
        return "deadline in " + Math.max(0, remainingNanos() / 1_000_000) + " ms";
    }
}
