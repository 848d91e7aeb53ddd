package dev.waituntil.it.api;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.ProgramAssertions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The API with {@code -javaagent:wait-until-agent.jar}: every copy of the API reaches the agent's one
 * runtime through the bootstrap bridge, and the agent's shutdown hook drains.
 */
class AgentSeamIT extends ApiModeTests {

    private final String startedLine;

    AgentSeamIT() throws Exception {
        super("agent", true);
        startedLine = ItEnvironment.agentStartedLine();
    }

    @Override
    void assertModeOfARunToTheEnd(JavaProcess p, String out) {
        assertEquals(1, p.countLinesContaining(startedLine), "exactly one '" + startedLine + "' line\n" + out);
        assertTrue(
                p.indexOfLineContaining(startedLine) < p.indexOfLineContaining("AGENT ACTIVE"),
                "the agent started before main ran\n" + out);
        assertEquals(0, p.countLinesContaining(NOT_ATTACHED), "no standalone warning with the agent\n" + out);
    }

    @Override
    void assertTimeoutInForceIsStated(JavaProcess p, String out) {
        assertTrue(
                p.firstLineContaining(startedLine).orElseThrow().text().contains("drain.timeout=1s"),
                "the start-up line shows the timeout in force\n" + out);
    }

    /** The agent's classes are Java 8 bytecode, and Byte Buddy must read JDK 25's. */
    @Test
    void theAgentRunsOnJdk25() throws Exception {
        Optional<Path> jdk25 = ItEnvironment.jdk(25);
        assumeTrue(
                jdk25.isPresent(), "skipped: no JDK 25 found under /usr/lib/jvm; give one with -Dit.jdk25=<java home>");
        assertRunKeptAliveToTheEnd(program("on JDK 25", "app.SleepingJob", "two-second job", "2000")
                .javaHome(jdk25.get()));
    }

    /**
     * {@code java -jar wait-until-agent.jar <pid>}: a JVM that started without the agent, whose API copy
     * is in standalone mode, hands over to the agent with nothing restarted; the task it registers
     * after that is the agent's, and the agent's drain waits for it.
     */
    @Test
    void theAttachCommandHandsARunningJvmOverToTheAgent() throws Exception {
        try (JavaProcess app = JavaProcess.builder("late attach target")
                .classpath(classes, ItEnvironment.apiJar())
                .jvmOption("-XX:+EnableDynamicAgentLoading") // JDK 21+ warns about dynamic agents without it
                .mainClass("app.LateAttach")
                .start()) {
            String pid = app.awaitLine(line -> line.startsWith("PID "), PROCESS_TIMEOUT)
                    .text()
                    .substring(4)
                    .trim();
            try (JavaProcess attach = JavaProcess.builder("attach command")
                    .executableJar(ItEnvironment.agentJar(), pid, "debug=true")
                    .start()) {
                int attachExit = attach.waitFor(PROCESS_TIMEOUT);
                assertEquals(0, attachExit, "the attach command succeeds\n" + attach.describe());
                assertTrue(
                        attach.texts().stream().anyMatch(l -> l.contains("agent loaded into JVM " + pid)),
                        attach.describe());
            }
            int exit = app.waitFor(PROCESS_TIMEOUT);
            String out = app.describe();
            List<String> lines = app.texts();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(lines.contains("AGENT ACTIVE false"), "the program started in standalone mode\n" + out);
            assertTrue(lines.contains("AGENT ACTIVE true"), "the loaded API copy was handed over\n" + out);
            assertEquals(1, app.countLinesContaining("agent started by dynamic attach"), out);
            assertTrue(
                    app.linesContaining("agent started by dynamic attach")
                            .get(0)
                            .contains("API copies handed over: 1"),
                    out);
            assertTrue(
                    lines.contains("PENDING WITH EARLY 1"),
                    "the task tracked in standalone mode before the attach is still counted\n" + out);
            assertEquals(
                    1,
                    app.linesContaining("registered 'late job'").size(),
                    "the task after the attach went to the agent (debug line)\n" + out);
            assertTrue(app.firstLineContaining("TASK DONE").isPresent(), "the agent's drain waited for it\n" + out);
            assertTrue(app.indexOfLineContaining("TASK DONE") > app.indexOfLineContaining("MAIN RETURNED"), out);
        }
    }

    /**
     * Two copies of the API in two class loaders (as two web applications bundle them) reach the one
     * runtime, which keys tasks by the thread's context class loader: each copy counts its own.
     */
    @Test
    void twoApiCopiesShareTheRuntimeAndCountTheirOwnTasks() throws Exception {
        // The API jar is deliberately not on the class path: each copy comes from its own loader.
        try (JavaProcess p = JavaProcess.builder("agent two API copies")
                .javaAgent(ItEnvironment.agentJar())
                .classpath(classes)
                .mainClass("app.TwoCopies", ItEnvironment.apiJar().toString())
                .start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();
            List<String> lines = p.texts();

            assertEquals(0, exit, "exit code\n" + out);
            assertTrue(
                    lines.contains("DISTINCT COPIES true"), "two separate copies of dev.waituntil.WaitUntil\n" + out);
            assertTrue(lines.contains("ACTIVE A true"), "copy A sees the agent\n" + out);
            assertTrue(lines.contains("ACTIVE B true"), "copy B sees the agent\n" + out);
            assertTrue(lines.contains("PENDING A 3"), "copy A, under its own loader, counts its 3 tasks\n" + out);
            assertTrue(lines.contains("PENDING B 5"), "copy B, under its own loader, counts its 5 tasks\n" + out);
            assertTrue(
                    lines.contains("PENDING A UNDER SYSTEM LOADER 0"),
                    "the count follows the context class loader, not the API copy: the JVM scope has none\n" + out);
            assertTrue(lines.contains("PENDING A AFTER 0"), "copy A's tasks are done once released\n" + out);
            assertTrue(lines.contains("PENDING B AFTER 0"), "copy B's tasks are done once released\n" + out);
            assertTrue(lines.contains("MAIN RETURNED"), "main returned\n" + out);
            assertEquals(1, p.countLinesContaining(startedLine), "one agent start\n" + out);
            assertEquals(0, p.countLinesContaining(NOT_ATTACHED), "neither copy fell back to standalone\n" + out);
        }
    }

    @Test
    void aBadSettingIsReportedOnceAndTheDefaultIsUsed() throws Exception {
        try (JavaProcess p = program("bad setting", "app.SleepingJob", "short job", "300")
                .systemProperty("waituntil.drain.timeout", "banana")
                .start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, "the application still runs\n" + out);
            assertTrue(p.texts().contains("AGENT ACTIVE true"), "the agent is active despite the bad value\n" + out);
            assertTrue(p.firstLineContaining("TASK DONE").isPresent(), "the task ran and was drained\n" + out);
            assertEquals(
                    1,
                    p.countLinesContaining("ignoring waituntil.drain.timeout='banana'"),
                    "exactly one line reports the bad value\n" + out);
            assertEquals(1, p.countLinesContaining("banana"), "no other line repeats it\n" + out);
            List<String> started = p.linesContaining(startedLine);
            assertEquals(1, started.size(), "one agent start\n" + out);
            assertTrue(
                    started.get(0).contains("drain.timeout=30s"),
                    "the start-up line shows the default in force\n" + out);
        }
    }

    /** Thread capture, opt-in: the agent starts with it as with any setting, and says nothing is wrong. */
    @Test
    void withThreadCaptureTheAgentStartsWithoutAWarning() throws Exception {
        try (JavaProcess p = program("thread capture", "app.SleepingJob", "short job", "300")
                .systemProperty("waituntil.capture", "executors,threads")
                .start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();

            assertEquals(0, exit, out);
            assertTrue(p.texts().contains("AGENT ACTIVE true"), out);
            assertTrue(p.firstLineContaining("TASK DONE").isPresent(), "the task ran and was drained\n" + out);
            List<String> started = p.linesContaining(startedLine);
            assertEquals(1, started.size(), "one agent start\n" + out);
            assertTrue(started.get(0).contains("capture=executors,threads"), out);
            assertEquals(
                    List.of(),
                    p.texts().stream()
                            .filter(ProgramAssertions::isOursAtWarningOrWorse)
                            .collect(java.util.stream.Collectors.toList()),
                    "no warning of ours\n" + out);
        }
    }
}
