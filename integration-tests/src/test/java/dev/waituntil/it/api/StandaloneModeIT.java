package dev.waituntil.it.api;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static dev.waituntil.it.support.ProgramAssertions.assertCancelInterrupts;
import static dev.waituntil.it.support.ProgramAssertions.assertDrainGaveUpAfterOneSecond;
import static dev.waituntil.it.support.ProgramAssertions.assertKeptAliveUntilDone;
import static dev.waituntil.it.support.ProgramAssertions.assertNamesTaskStillPending;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.Programs;

/**
 * The API on its own, without {@code -javaagent}: a plain {@code main} program whose background work
 * would be lost when {@code main} returns, unless it was handed to wait-until.
 */
class StandaloneModeIT {

    /** Generous: a healthy run takes about 2 s; this only keeps a broken one from hanging the build. */
    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

    private static Path classes;

    @BeforeAll
    static void compilePrograms() throws Exception {
        classes = Programs.compileAll("standalone");
    }

    private static JavaProcess.Builder program(String name, String mainClass, String... args) {
        return JavaProcess.builder(name)
                .classpath(classes, ItEnvironment.apiJar())
                .mainClass(mainClass, args);
    }

    /** (a) WaitUntil.run: the JVM stays up after main returns until the task has finished. */
    @Test
    void runKeepsTheJvmAliveUntilTheTaskIsDone() throws Exception {
        try (JavaProcess p = program("standalone two-second job", "app.SleepingJob", "two-second job", "2000").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(p.texts().contains("AGENT ACTIVE false"), "isAgentActive() without the agent\n" + out);
            assertTrue(p.texts().contains("PENDING 1"), "pending() while the task runs\n" + out);
            assertKeptAliveUntilDone(p, out);
            assertEquals(1, p.countLinesContaining(NOT_ATTACHED),
                    "exactly one 'agent is not attached' warning, however many API calls\n" + out);
            assertEquals(0, p.countLinesContaining("still pending"), "the drain finished normally\n" + out);
        }
    }

    /** (b) The control: the same kind of work on a daemon thread, not handed to wait-until, is lost. */
    @Test
    void withoutWaitUntilTheDaemonTaskIsLost() throws Exception {
        try (JavaProcess p = program("control: plain daemon task", "app.DaemonJob", "plain").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(p.firstLineContaining("TASK STARTED").isPresent(), "the task had started\n" + out);
            assertTrue(p.firstLineContaining("MAIN RETURNED").isPresent(), "main returned\n" + out);
            assertFalse(p.firstLineContaining("TASK DONE").isPresent(),
                    "without wait-until the JVM must exit before the daemon task finishes; if this fails, the "
                            + "control no longer shows what the other tests prove\n" + out);
            assertFalse(p.firstLineContaining("TASK INTERRUPTED").isPresent(), "nothing interrupts it either\n" + out);
            assertEquals(0, p.countLinesContaining(NOT_ATTACHED), "this program never touched the API\n" + out);
        }
    }

    /** (c) WaitUntil.register of an already-started CompletableFuture: waited for the same way. */
    @Test
    void registeredFutureKeepsTheJvmAliveUntilItIsDone() throws Exception {
        try (JavaProcess p = program("standalone registered future", "app.DaemonJob", "register").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(p.texts().contains("REGISTERED, PENDING 1"), "pending() after register\n" + out);
            assertKeptAliveUntilDone(p, out);
            assertEquals(1, p.countLinesContaining(NOT_ATTACHED), "exactly one 'agent is not attached' warning\n" + out);
        }
    }

    /** (d) The drain is bounded: a task that would take a minute does not hold the JVM for a minute. */
    @Test
    void drainTimeoutLetsTheJvmExitWithinSeconds() throws Exception {
        try (JavaProcess p = sixtySecondJob("standalone drain timeout").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertDrainGaveUpAfterOneSecond(p, exit, out);
            assertTrue(p.linesContaining(NOT_ATTACHED).stream().anyMatch(l -> l.contains("up to 1s")),
                    "the warning states the timeout in force\n" + out);
        }
    }

    /** (d) ... and says which task it gave up on. */
    @Test
    void drainTimeoutNamesTheTaskStillPending() throws Exception {
        try (JavaProcess p = sixtySecondJob("standalone drain timeout, log").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertNamesTaskStillPending(p, "sixty-second job", out);
        }
    }

    /** The API documents that cancelling the future of run(...) interrupts the task. */
    @Test
    void cancellingARunFutureInterruptsTheTask() throws Exception {
        try (JavaProcess p = program("standalone cancel", "app.CancelJob").start()) {
            assertCancelInterrupts(p, p.waitFor(PROCESS_TIMEOUT));
        }
    }

    private static JavaProcess.Builder sixtySecondJob(String name) {
        return program(name, "app.SleepingJob", "sixty-second job", "60000")
                .systemProperty("waituntil.drain.timeout", "1s");
    }
}
