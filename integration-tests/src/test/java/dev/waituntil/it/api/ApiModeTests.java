package dev.waituntil.it.api;

import static dev.waituntil.it.support.ProgramAssertions.assertCancelInterrupts;
import static dev.waituntil.it.support.ProgramAssertions.assertDrainGaveUpAfterOneSecond;
import static dev.waituntil.it.support.ProgramAssertions.assertKeptAliveUntilDone;
import static dev.waituntil.it.support.ProgramAssertions.assertNamesTaskStillPending;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.Programs;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The API in a plain {@code main} program whose background work would be lost when {@code main} returns, unless
 * it was handed to wait-until: the scenarios that hold in both modes, run by one subclass per mode
 * ({@link AgentSeamIT} with {@code -javaagent}, {@link StandaloneModeIT} without it). What a mode says about
 * itself (the agent's start-up line, the standalone warning) is asserted by the subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiModeTests {

    /** Generous: a healthy run takes about 2 s; this only keeps a broken one from hanging the build. */
    static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

    private final String mode;
    private final boolean agent;
    Path classes;

    ApiModeTests(String mode, boolean agent) {
        this.mode = mode;
        this.agent = agent;
    }

    @BeforeAll
    void compilePrograms() throws Exception {
        classes = Programs.compileAll(mode);
    }

    /** {@code java [-javaagent:...] -cp <programs>:<api> <mainClass> <args>}, as this mode runs a program. */
    JavaProcess.Builder program(String name, String mainClass, String... args) {
        JavaProcess.Builder builder = JavaProcess.builder(mode + " " + name)
                .classpath(classes, ItEnvironment.apiJar())
                .mainClass(mainClass, args);
        return agent ? builder.javaAgent(ItEnvironment.agentJar()) : builder;
    }

    /** What this mode logs of itself in a run whose one task was kept alive to its end. */
    abstract void assertModeOfARunToTheEnd(JavaProcess p, String out);

    /** Where this mode states the drain timeout of 1 s that it gave up after. */
    abstract void assertTimeoutInForceIsStated(JavaProcess p, String out);

    /** {@code WaitUntil.run}: the JVM stays up after main returns until the task has finished. */
    @Test
    void runKeepsTheJvmAliveUntilTheTaskIsDone() throws Exception {
        assertRunKeptAliveToTheEnd(program("two-second job", "app.SleepingJob", "two-second job", "2000"));
    }

    void assertRunKeptAliveToTheEnd(JavaProcess.Builder program) throws Exception {
        try (JavaProcess p = program.start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(
                    p.texts().contains("AGENT ACTIVE " + agent),
                    "isAgentActive() " + (agent ? "with -javaagent" : "without the agent") + "\n" + out);
            assertTrue(p.texts().contains("PENDING 1"), "pending() while the task runs\n" + out);
            assertKeptAliveUntilDone(p, out);
            assertEquals(0, p.countLinesContaining("still pending"), "the drain finished normally\n" + out);
            assertModeOfARunToTheEnd(p, out);
        }
    }

    /** The drain is bounded: a task that would take a minute does not hold the JVM for a minute. */
    @Test
    void drainTimeoutLetsTheJvmExitWithinSeconds() throws Exception {
        try (JavaProcess p = sixtySecondJob("drain timeout").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertDrainGaveUpAfterOneSecond(p, exit, out);
            assertTimeoutInForceIsStated(p, out);
        }
    }

    /** ... and says which task it gave up on. */
    @Test
    void drainTimeoutNamesTheTaskStillPending() throws Exception {
        try (JavaProcess p = sixtySecondJob("drain timeout, log").start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "exit code\n" + out);
            assertNamesTaskStillPending(p, "sixty-second job", out);
        }
    }

    /** The API documents that cancelling the future of run(...) interrupts the task. */
    @Test
    void cancellingARunFutureInterruptsTheTask() throws Exception {
        try (JavaProcess p = program("cancel", "app.CancelJob").start()) {
            assertCancelInterrupts(p, p.waitFor(PROCESS_TIMEOUT));
        }
    }

    private JavaProcess.Builder sixtySecondJob(String name) {
        return program(name, "app.SleepingJob", "sixty-second job", "60000")
                .systemProperty("waituntil.drain.timeout", "1s");
    }
}
