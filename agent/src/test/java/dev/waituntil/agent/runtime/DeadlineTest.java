package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void aTimeoutTooLongToCountIsNeverAndStillComparable() {
        Deadline never = Deadline.in(Duration.ofSeconds(Long.MAX_VALUE));
        Deadline inAYear = Deadline.in(Duration.ofDays(365));
        assertTrue(never.remainingNanos() > 0, "no overflow into the past");
        assertTrue(never.remainingNanos() <= Deadline.NEVER_NANOS);
        assertSame(inAYear, never.earlier(inAYear));
        assertSame(inAYear, inAYear.earlier(never));
    }

    @Test
    void aZeroTimeoutHasPassedAlready() {
        assertTrue(Deadline.in(Duration.ZERO).remainingNanos() <= 0);
    }

    @Test
    void earlierComparesByDifferenceAcrossTheWrapOfNanoTime() {
        Deadline beforeWrap = Deadline.at(Long.MAX_VALUE - 10);
        Deadline afterWrap = Deadline.at(Long.MIN_VALUE + 10);
        assertSame(beforeWrap, afterWrap.earlier(beforeWrap));
        assertSame(beforeWrap, beforeWrap.earlier(afterWrap));
    }

    @Test
    void ofTwoEqualDeadlinesEarlierKeepsItsOwn() {
        Deadline a = Deadline.at(42);
        Deadline b = Deadline.at(42);
        assertSame(a, a.earlier(b));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(42, a.nanoTime());
    }
}
