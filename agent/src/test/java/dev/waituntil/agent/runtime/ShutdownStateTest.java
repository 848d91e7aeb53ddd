package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShutdownStateTest {

    private final ShutdownState state = new ShutdownState();

    @Test
    void theFirstHookOfAStopFixesTheDeadlineForEveryLaterOne() {
        assertFalse(state.isStopping());
        Deadline first = state.begin(Duration.ofMinutes(1));
        assertTrue(state.isStopping());
        assertEquals(first, state.begin(Duration.ofDays(1)), "a later hook keeps the deadline");
        assertEquals(first, state.begin(Duration.ZERO));
    }

    @Test
    void aDrainDuringAStopEndsByTheStopsDeadlineOrItsOwnIfThatIsEarlier() {
        Deadline stop = state.begin(Duration.ofMinutes(1));
        assertEquals(stop, state.deadlineFor(Duration.ofDays(1)), "no later than the stop's");
        assertNotEquals(stop, state.deadlineFor(Duration.ZERO), "its own, which comes first");
        assertTrue(state.deadlineFor(Duration.ZERO).remainingNanos() <= 0);
    }

    @Test
    void withoutAStopADrainHasItsOwnDeadline() {
        assertTrue(state.deadlineFor(Duration.ofDays(1)).remainingNanos()
                > Duration.ofHours(23).toNanos());
        assertFalse(state.isStopping(), "asking does not begin a stop");
    }

    @Test
    void forgettingTheStopSaysWhetherOneHadBegunAndTheNextStopHasItsOwnDeadline() {
        assertFalse(state.forget());
        Deadline first = state.begin(Duration.ZERO);
        assertTrue(state.forget());
        assertFalse(state.isStopping());
        assertFalse(state.forget());
        Deadline next = state.begin(Duration.ofDays(1));
        assertNotEquals(first, next);
        assertTrue(next.remainingNanos() > 0);
    }
}
