package dev.waituntil.it.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.Programs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile input, through the built agent jar: what a careless command line or caller can do must not
 * break the agent, the application or its log.
 */
class HostileInputIT {

    private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(60);

    private static Path classes;
    private static Path work;
    private static String startedLine;

    @BeforeAll
    static void compilePrograms() throws Exception {
        classes = Programs.compileAll("hostile-input");
        work = classes.getParent();
        startedLine = ItEnvironment.agentStartedLine();
    }

    private static JavaProcess.Builder program(String name, Path agentJar, String mainClass, String... args) {
        return JavaProcess.builder(name)
                .javaAgent(agentJar)
                .classpath(classes, ItEnvironment.apiJar())
                .mainClass(mainClass, args);
    }

    /** Two {@code -javaagent} options for the same jar (a base image and a deployment both add it): one agent. */
    @Test
    void theAgentGivenTwiceStartsOnceWarnsOnceAndStillDrains() throws Exception {
        try (JavaProcess p = program("agent twice", ItEnvironment.agentJar(), "app.SleepingJob", "twice", "1000")
                .jvmOption("-javaagent:" + ItEnvironment.agentJar() + "=debug=true")
                .start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();
            assertEquals(0, exit, out);
            assertEquals(1, p.countLinesContaining(startedLine), "one agent started\n" + out);
            assertEquals(
                    1,
                    p.countLinesContaining("the agent is already running in this JVM; ignoring the second start "
                            + "(arguments debug=true)"),
                    "one warning, naming the second start's arguments\n" + out);
            assertTrue(p.texts().contains("AGENT ACTIVE true"), out);
            assertTrue(p.firstLineContaining("TASK DONE").isPresent(), "the task was drained\n" + out);
            assertEquals(0, p.countLinesContaining("Exception"), "nothing thrown\n" + out);
        }
    }

    /** The jar renamed (a build that adds a version, an ops team that prefixes it): nothing depends on its name. */
    @Test
    void aRenamedAgentJarWorks() throws Exception {
        Path renamed = Files.copy(
                ItEnvironment.agentJar(),
                work.resolve("ops-tools_wait-until 2.0-final.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        try (JavaProcess p = program("agent renamed", renamed, "app.SleepingJob", "renamed", "1000")
                .start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();
            assertEquals(0, exit, out);
            assertEquals(1, p.countLinesContaining(startedLine), out);
            assertTrue(p.texts().contains("AGENT ACTIVE true"), out);
            assertTrue(p.texts().contains("PENDING 1"), out);
            assertTrue(p.firstLineContaining("TASK DONE").isPresent(), "the task was drained\n" + out);
        }
    }

    /**
     * {@code null}s get the API's own exception with a message that names the problem; a 1 MB label that starts
     * with a line break, a carriage return, a NUL and an ANSI escape is cut and escaped in every log line: it
     * cannot forge a line, colour a terminal, or flood the log.
     */
    @Test
    void nullsAreRefusedByNameAndAHugeLabelWithControlCharactersCannotBreakALogLine() throws Exception {
        try (JavaProcess p = program("hostile input", ItEnvironment.agentJar(), "app.HostileInput")
                .systemProperty("waituntil.debug", "true")
                .start()) {
            int exit = p.waitFor(PROCESS_TIMEOUT);
            String out = p.describe();
            assertEquals(0, exit, out);
            assertTrue(p.texts().contains("AGENT ACTIVE true"), out);
            for (String call : List.of("register(null)", "run(label, null)", "supply(label, null)")) {
                assertEquals(
                        1,
                        p.countLinesContaining("NULL " + call + " -> NullPointerException: task must not be null"),
                        call + " is refused with a message that names the problem\n" + out);
            }
            assertTrue(p.texts().contains("TASK FAILED AS ASKED"), out);
            assertTrue(
                    p.texts().contains("NULL LABEL TASK RAN"), "a null label is allowed (a label is made up)\n" + out);
            assertTrue(p.texts().contains("PENDING 0"), out);

            List<String> failed = p.linesContaining("failed");
            assertTrue(
                    failed.stream().anyMatch(l -> l.contains("'evil\\nINJECTED LINE\\r\\u0000\\u001b[31m0123")),
                    "the label is named, escaped\n" + out);
            for (String line : p.texts()) {
                assertTrue(!line.startsWith("INJECTED LINE"), "a label forged a log line: " + line);
                assertTrue(
                        line.indexOf('\u0000') < 0 && line.indexOf('\u001b') < 0,
                        "a raw control character in: " + line);
                assertTrue(line.length() < 2_000, "a line of " + line.length() + " characters: the label was not cut");
            }
        }
    }
}
