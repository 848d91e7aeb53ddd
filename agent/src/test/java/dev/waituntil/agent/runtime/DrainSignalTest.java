package dev.waituntil.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DrainSignalTest {

    private static final DrainSignal.Condition NEVER = () -> false;
    private static final DrainSignal.Condition ALWAYS = () -> true;

    private final DrainSignal signal = new DrainSignal();

    @Test
    void itSaysWhetherADrainWaits() {
        assertFalse(signal.anyWaiting());
        signal.enter();
        signal.enter();
        assertTrue(signal.anyWaiting());
        signal.leave();
        assertTrue(signal.anyWaiting());
        signal.leave();
        assertFalse(signal.anyWaiting());
        signal.signal(); // nobody waits: nothing to do, and no error
    }

    @Test
    void awaitReturnsAtOnceWhatHoldsDoneFirst() throws Exception {
        Deadline far = Deadline.in(Duration.ofDays(1));
        assertEquals(DrainSignal.Outcome.DONE, signal.await(ALWAYS, ALWAYS, far));
        assertEquals(DrainSignal.Outcome.LOOK_ELSEWHERE, signal.await(NEVER, ALWAYS, far));
        assertEquals(DrainSignal.Outcome.DEADLINE, signal.await(NEVER, NEVER, Deadline.in(Duration.ZERO)));
    }

    @Test
    void aSignalWakesAWaitingDrainToLookAgain() throws Exception {
        AtomicBoolean empty = new AtomicBoolean();
        AtomicReference<DrainSignal.Outcome> outcome = new AtomicReference<>();
        Thread drain = new Thread(() -> {
            signal.enter();
            try {
                outcome.set(signal.await(empty::get, NEVER, Deadline.in(Duration.ofDays(1))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                signal.leave();
            }
        });
        drain.start();
        while (drain.isAlive() && drain.getState() != Thread.State.TIMED_WAITING) {
            Thread.yield();
        }
        empty.set(true);
        signal.signal();
        drain.join(60_000); // a guard against a hang, not a speed check
        assertFalse(drain.isAlive(), "the signal woke the drain");
        assertEquals(DrainSignal.Outcome.DONE, outcome.get());
    }
}
