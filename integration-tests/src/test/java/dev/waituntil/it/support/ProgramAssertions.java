package dev.waituntil.it.support;

import static dev.waituntil.it.support.Programs.stamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** What the programs of {@link Programs} must show, with and without the agent. */
public final class ProgramAssertions {

    /** The one warning of the API without the agent. */
    public static final String NOT_ATTACHED = "the agent is not attached to this JVM";

    /** A line of ours (its logger or its message) at WARNING or SEVERE, in Tomcat's format or plain JUL's. */
    public static boolean isOursAtWarningOrWorse(String line) {
        boolean ours = line.contains("dev.waituntil.") || line.contains("wait-until");
        boolean bad = line.contains(" WARNING [")
                || line.contains(" SEVERE [")
                || line.startsWith("WARNING:")
                || line.startsWith("SEVERE:");
        return ours && bad;
    }

    private ProgramAssertions() {}

    /**
     * The task's output came after main returned, the task really took its 2 s, and the process
     * exited only after the task had finished. Times are the child's own clock and the recorded exit,
     * the same machine clock, so no output-reading delay enters the comparison; and every check is a
     * lower bound, which a slow machine cannot break.
     */
    public static void assertKeptAliveUntilDone(JavaProcess p, String out) {
        int returnedAt = p.indexOfLineContaining("MAIN RETURNED");
        int doneAt = p.indexOfLineContaining("TASK DONE");
        assertTrue(returnedAt >= 0, "main returned\n" + out);
        assertTrue(doneAt >= 0, "the task finished before the JVM exited\n" + out);
        assertTrue(doneAt > returnedAt, "TASK DONE comes after MAIN RETURNED\n" + out);
        assertFalse(p.firstLineContaining("TASK INTERRUPTED").isPresent(), "the task was not interrupted\n" + out);

        long started = stamp(p, "TASK STARTED").orElseThrow();
        long done = stamp(p, "TASK DONE").orElseThrow();
        long exited = p.exitWallMillis().orElseThrow();
        assertTrue(done - started >= 1_900, "the task slept its 2 s (" + (done - started) + " ms)\n" + out);
        assertTrue(
                exited >= done,
                "the process exited only after TASK DONE (exit " + (exited - done) + " ms after it)\n" + out);
        assertTrue(
                p.exitMillis().orElseThrow() >= 2_000,
                "the process ran at least 2 s (" + p.exitMillis().orElseThrow() + " ms)\n" + out);
    }

    /**
     * Exit code 0 not before the 1 s drain timeout and long before the 60 s task could end (within 30 s of the
     * timeout, JVM start included: on any machine), and the task did not finish.
     */
    public static void assertDrainGaveUpAfterOneSecond(JavaProcess p, int exit, String out) {
        assertEquals(0, exit, "exit code\n" + out);
        long ranMillis = p.exitMillis().orElseThrow();
        assertTrue(
                ranMillis < 1_000 + 30_000,
                "with drain.timeout=1s the JVM must exit long before the task ends, took " + ranMillis + " ms\n" + out);
        assertFalse(p.firstLineContaining("TASK DONE").isPresent(), "the task cannot have finished\n" + out);
        long mainReturned = stamp(p, "MAIN RETURNED").orElseThrow();
        long exited = p.exitWallMillis().orElseThrow();
        assertTrue(
                exited - mainReturned >= 900,
                "the drain waited for its 1 s timeout before giving up " + "(exit " + (exited - mainReturned)
                        + " ms after main returned)\n" + out);
    }

    public static void assertNamesTaskStillPending(JavaProcess p, String label, String out) {
        assertTrue(
                p.linesContaining("'" + label + "'").stream().anyMatch(l -> l.contains("still pending")),
                "a log line names the task '" + label + "' and says it was still pending\n" + out);
    }

    public static void assertCancelInterrupts(JavaProcess p, int exit) {
        String out = p.describe();
        List<String> lines = p.texts();
        assertEquals(0, exit, "exit code\n" + out);
        assertTrue(lines.contains("CANCEL RETURNED true"), "cancel(true) succeeded\n" + out);
        assertTrue(lines.contains("TASK INTERRUPTED"), "the task was interrupted\n" + out);
        assertTrue(
                lines.contains("TASK ENDED WITHIN 20 S true"), "the task ended promptly, not after its 30 s\n" + out);
        assertTrue(lines.contains("PENDING 0"), "nothing pending after the cancel\n" + out);
        assertFalse(lines.contains("TASK DONE"), "the task did not run to its end\n" + out);
    }
}
