package dev.waituntil.it.api;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static dev.waituntil.it.support.ProgramAssertions.assertKeptAliveUntilDone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.JavaProcess;
import org.junit.jupiter.api.Test;

/**
 * The API on its own, without {@code -javaagent}: a plain {@code main} program whose background work
 * would be lost when {@code main} returns, unless it was handed to wait-until.
 */
class StandaloneModeIT extends ApiModeTests {

    StandaloneModeIT() {
        super("standalone", false);
    }

    @Override
    void assertModeOfARunToTheEnd(JavaProcess p, String out) {
        assertEquals(
                1,
                p.countLinesContaining(NOT_ATTACHED),
                "exactly one 'agent is not attached' warning, however many API calls\n" + out);
    }

    @Override
    void assertTimeoutInForceIsStated(JavaProcess p, String out) {
        assertTrue(
                p.linesContaining(NOT_ATTACHED).stream().anyMatch(l -> l.contains("waituntil.drain.timeout (1s ")),
                "the warning states the timeout in force\n" + out);
    }

    /** The control: the same kind of work on a daemon thread, not handed to wait-until, is lost. */
    @Test
    void withoutWaitUntilTheDaemonTaskIsLost() throws Exception {
        try (JavaProcess p =
                program("control: plain daemon task", "app.DaemonJob", "plain").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(p.firstLineContaining("TASK STARTED").isPresent(), "the task had started\n" + out);
            assertTrue(p.firstLineContaining("MAIN RETURNED").isPresent(), "main returned\n" + out);
            assertFalse(
                    p.firstLineContaining("TASK DONE").isPresent(),
                    "without wait-until the JVM must exit before the daemon task finishes; if this fails, the "
                            + "control no longer shows what the other tests prove\n" + out);
            assertFalse(p.firstLineContaining("TASK INTERRUPTED").isPresent(), "nothing interrupts it either\n" + out);
            assertEquals(0, p.countLinesContaining(NOT_ATTACHED), "this program never touched the API\n" + out);
        }
    }

    /** WaitUntil.register of an already-started CompletableFuture: waited for the same way. */
    @Test
    void registeredFutureKeepsTheJvmAliveUntilItIsDone() throws Exception {
        try (JavaProcess p =
                program("registered future", "app.DaemonJob", "register").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(p.texts().contains("REGISTERED, PENDING 1"), "pending() after register\n" + out);
            assertKeptAliveUntilDone(p, out);
            assertEquals(
                    1, p.countLinesContaining(NOT_ATTACHED), "exactly one 'agent is not attached' warning\n" + out);
        }
    }
}
