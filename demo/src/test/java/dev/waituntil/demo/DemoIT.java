package dev.waituntil.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.demo.DemoResult.Line;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo, run the way the README shows it, with its claims checked: the order is answered at once,
 * SIGTERM arrives while the receipt is still being sent, and the server's JVM exits only after the
 * receipt is out. The control proves that these checks can fail: the same server, with the work handed
 * to a plain thread pool and no agent, loses the receipt.
 *
 * <p>The launcher runs in-process ({@link DemoLauncher#run}); the server always runs in a child JVM from
 * the built, shaded demo jar, so the jar's contents are what is tested. The launcher bounds every wait
 * and kills the server's JVM in a finally block.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoIT {

    private static final Path DEMO_JAR = Path.of(System.getProperty("it.demoJar", "target/wait-until-demo.jar"))
            .toAbsolutePath()
            .normalize();
    private static final Path AGENT_JAR = Path.of(
                    System.getProperty("it.agentJar", "../agent/target/wait-until-agent.jar"))
            .toAbsolutePath()
            .normalize();
    private static final Path SPRING_BOOT_JAR = Path.of(System.getProperty(
                    "it.springBootJar", "../demo-spring-boot/target/wait-until-demo-spring-boot.jar"))
            .toAbsolutePath()
            .normalize();
    private static final String RECEIPT_LINE = " receipt " + DemoLauncher.ORDER_ID + " sent";
    /** Clock and scheduling slack between the server's sleep and our measurements. */
    private static final long SLACK = 100;
    /**
     * The SIGTERM must come before the task can end, by more than the slack, or a receipt after it proves nothing.
     * The task cannot end sooner than {@link DemoServer#WORK_MILLIS} after the order was sent, so this holds on any
     * machine that answers the order and pauses {@link DemoLauncher#PAUSE_BEFORE_SIGTERM_MILLIS} within the work's
     * 3 s; how much sooner the SIGTERM came is printed and bounds the exit time from below.
     */
    private static final long MIN_REMAINING_AT_SIGTERM = 2 * SLACK;

    private static DemoOptions options() {
        assertTrue(Files.isRegularFile(DEMO_JAR), "demo jar missing: " + DEMO_JAR);
        assertTrue(Files.isRegularFile(AGENT_JAR), "agent jar missing: " + AGENT_JAR);
        return new DemoOptions(AGENT_JAR, false, DEMO_JAR.toString(), 0);
    }

    @Test
    void withTheAgentTheServerExitsOnlyAfterTheReceiptIsSent() {
        DemoResult r = DemoLauncher.run(options(), System.out);
        String output = r.output();

        assertEquals(202, r.status(), output);
        assertAnsweredBeforeTheWorkCouldEnd(r, output);

        // SIGTERM came while the task was still running, early enough for the exit time to mean something.
        long remainingAtSigterm = DemoServer.WORK_MILLIS - (r.sigtermAt() - r.requestAt());
        assertTrue(
                remainingAtSigterm >= MIN_REMAINING_AT_SIGTERM,
                "SIGTERM too late to prove anything: at most " + remainingAtSigterm + " ms of work were left\n"
                        + output);

        assertTrue(r.receiptSent(), "no '" + RECEIPT_LINE.trim() + "'\n" + output);
        assertTrue(r.receiptAt() > r.responseAt(), "receipt not after the response\n" + output);
        assertTrue(r.receiptAt() > r.sigtermAt(), "receipt not after SIGTERM\n" + output);

        // Exited by itself after SIGTERM, and not before the task could have finished.
        assertFalse(r.killed(), output);
        if (!isWindows()) {
            assertEquals(143, r.serverExitCode(), "exit code of a JVM stopped by SIGTERM\n" + output);
        }
        // A floor the clock guarantees, whatever the machine: the work could not have ended sooner.
        assertTrue(
                r.sigtermToExitMillis() >= remainingAtSigterm - SLACK,
                "the server exited " + r.sigtermToExitMillis() + " ms after SIGTERM, with up to " + remainingAtSigterm
                        + " ms of work left\n" + output);

        // It was the agent: the task belonged to the request, and the agent's drain waited for it. Every line in
        // the pipe was written before the JVM exited; the receipt precedes the end of the drain. (Not checked: the
        // agent's "draining the JVM" line, logged at the moment the JDK removes the logging handlers; the agent
        // loses it in some runs.)
        int registered = indexOf(r.lines(), "wait-until: registered 'send receipt 42'");
        assertTrue(
                registered >= 0 && r.lines().get(registered).text().contains("request POST /shop/order"),
                "no registration with request scope\n" + output);
        int receipt = indexOfEnd(r.lines(), RECEIPT_LINE);
        int drained = indexOf(r.lines(), "wait-until: drain of the JVM");
        assertTrue(
                drained >= 0 && r.lines().get(drained).text().contains("all tasks finished"),
                "no end of the agent's drain\n" + output);
        assertTrue(
                registered < receipt && receipt < drained,
                "expected registered < receipt < drained, got " + registered + ", " + receipt + ", " + drained + "\n"
                        + output);

        assertEquals(0, r.exitCode(), output);
    }

    /** Control: the same server without the agent, the work on a plain thread pool. The receipt is lost. */
    @Test
    void controlWithoutTheAgentAndAPlainPoolTheReceiptIsLost() {
        DemoResult r = DemoLauncher.run(options().withAgent(null).withPlainPool(true), System.out);
        String output = r.output();

        assertEquals(202, r.status(), output);
        assertAnsweredBeforeTheWorkCouldEnd(r, output);
        assertFalse(r.killed(), output);
        long remainingAtSigterm = DemoServer.WORK_MILLIS - (r.sigtermAt() - r.requestAt());
        assertTrue(
                remainingAtSigterm >= MIN_REMAINING_AT_SIGTERM,
                "SIGTERM too late to prove anything: at most " + remainingAtSigterm + " ms of work were left\n"
                        + output);

        // The JVM exited before the work could end: its sleep is not interrupted on a plain pool, so had the JVM
        // waited, the receipt line would be there. Told by the output, not by comparing the time from SIGTERM to the
        // exit with the work left: that time is also the JVM's own shutdown, which a loaded machine stretches (the
        // launcher's summary prints it).
        assertFalse(r.receiptSent(), "the receipt was sent although nothing waited for it\n" + output);
        assertEquals(-1, indexOf(r.lines(), "receipt 42"), "the server waited for the plain pool's work\n" + output);
        assertEquals(1, r.exitCode(), output);
    }

    /**
     * Without the agent but with {@code WaitUntil.run}, the API's standalone mode tracks the task in-process
     * and its own shutdown hook waits for it: the receipt is sent too. What the agent adds is shown by the
     * first test: the task belongs to its request, and the drain is the agent's.
     */
    /**
     * The same plain pool with the agent: no call to wait-until, yet the agent captures the hand-over in the request
     * and the stop waits for the receipt. The control above shows that the pool alone loses it.
     */
    @Test
    void withTheAgentAPlainPoolsWorkIsCapturedAndTheReceiptSent() {
        DemoResult r = DemoLauncher.run(options().withPlainPool(true), System.out);
        String output = r.output();

        assertEquals(202, r.status(), output);
        assertAnsweredBeforeTheWorkCouldEnd(r, output);
        assertFalse(r.killed(), output);
        assertTrue(r.receiptSent(), "no '" + RECEIPT_LINE.trim() + "'\n" + output);
        assertTrue(r.receiptAt() > r.sigtermAt(), "receipt not after SIGTERM\n" + output);
        int captured = indexOf(r.lines(), "wait-until: captured 'ThreadPoolExecutor.execute from POST /shop/order'");
        assertTrue(captured >= 0, "no capture of the pool's task in the request\n" + output);
        assertTrue(captured < indexOfEnd(r.lines(), RECEIPT_LINE), "captured after the receipt?\n" + output);
        assertEquals(0, r.exitCode(), output);
    }

    @Test
    void withoutTheAgentTheApiStandaloneModeStillWaits() {
        DemoResult r = DemoLauncher.run(options().withAgent(null), System.out);
        String output = r.output();

        assertEquals(202, r.status(), output);
        assertTrue(indexOf(r.lines(), "wait-until: the agent is not attached to this JVM") >= 0, output);
        assertEquals(-1, indexOf(r.lines(), "wait-until: registered"), output);
        assertTrue(r.receiptSent(), output);
        assertTrue(r.receiptAt() > r.sigtermAt(), output);
        assertEquals(0, r.exitCode(), output);
    }

    /**
     * {@code --spring-boot}: the shop as a Spring Boot 4 application with the starter, the actuator and the Prometheus
     * registry. While the receipt is pending, the endpoint lists it and the pending gauge says 1; the settings of
     * {@code application.properties} are in force (the drain timeout in the starter's line, and the watchdog names
     * the receipt after {@code task.warn-after=2s}, before it ends at 3 s); SIGTERM waits for it.
     */
    @Test
    void withTheSpringBootStarterTheEndpointAndTheMetersShowThePendingReceiptAndTheServerWaitsForIt() {
        assertTrue(Files.isRegularFile(SPRING_BOOT_JAR), "Spring Boot shop missing: " + SPRING_BOOT_JAR);
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        DemoResult r;
        try (PrintStream both = new PrintStream(new TeeStream(System.out, shown), true, StandardCharsets.UTF_8)) {
            r = DemoLauncher.run(options().withSpringBoot(SPRING_BOOT_JAR), both);
        }
        String output = r.output();
        String demo = shown.toString(StandardCharsets.UTF_8);

        assertEquals(202, r.status(), output);
        assertAnsweredBeforeTheWorkCouldEnd(r, output);
        assertTrue(demo.contains("GET /actuator/waituntil: {"), demo);
        assertTrue(demo.contains("send receipt 42"), "the endpoint does not list the pending receipt\n" + demo);
        assertTrue(
                demo.lines()
                        .anyMatch(l -> l.contains("waituntil_tasks_pending{")
                                && l.trim().endsWith(" 1.0")),
                "no pending gauge at 1\n" + demo);
        assertTrue(
                indexOf(r.lines(), "settings in force") >= 0
                        && r.lines()
                                .get(indexOf(r.lines(), "settings in force"))
                                .text()
                                .contains("drain.timeout=20s"),
                "application.properties' drain.timeout not in force\n" + output);
        assertTrue(
                r.lines().stream()
                        .anyMatch(l -> l.text().contains("WARN") && l.text().contains("send receipt 42")),
                "no watchdog warning naming the receipt (task.warn-after=2s)\n" + output);
        assertTrue(r.receiptSent(), "no '" + RECEIPT_LINE.trim() + "'\n" + output);
        assertTrue(r.receiptAt() > r.sigtermAt(), "receipt not after SIGTERM\n" + output);
        assertEquals(0, r.exitCode(), output);
    }

    /** Writes to two streams; closing it closes neither. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }

    /** {@code java -jar wait-until-demo.jar --agent <missing>}: the jar runs, and says what to do. */
    @Test
    void aMissingAgentJarIsReportedWithTheBuildCommand() throws Exception {
        Path missing = DEMO_JAR.resolveSibling("no-such-agent.jar");
        Process launcher = new ProcessBuilder(javaCommand(), "-jar", DEMO_JAR.toString(), "--agent", missing.toString())
                .redirectErrorStream(true)
                .start();
        try {
            launcher.getOutputStream().close();
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "the launcher did not exit");
            String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, launcher.exitValue(), output);
            assertTrue(output.contains("the agent jar is missing: " + missing), output);
            assertTrue(output.contains(DemoLauncher.BUILD_FIRST), output);
            assertFalse(output.contains(DemoLauncher.SERVER), "a server was started\n" + output);
        } finally {
            launcher.destroyForcibly();
        }
    }

    /** The launcher's default finds the agent jar from the demo jar: ../../agent/target/wait-until-agent.jar. */
    @Test
    void theDefaultAgentJarIsTheOneBuiltNextToTheDemo() throws IOException {
        assertEquals(AGENT_JAR.toRealPath(), DemoLauncher.defaultAgentJar().toRealPath());
    }

    /**
     * The order was answered at once: before the work, which takes {@link DemoServer#WORK_MILLIS}, could have ended
     * (an answer that waited for it would take at least that long). The time is printed by the launcher.
     */
    private static void assertAnsweredBeforeTheWorkCouldEnd(DemoResult r, String output) {
        assertTrue(
                r.responseMillis() >= 0 && r.responseMillis() < DemoServer.WORK_MILLIS,
                "response took " + r.responseMillis() + " ms, the work " + DemoServer.WORK_MILLIS + " ms\n" + output);
    }

    private static int indexOf(List<Line> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).text().contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfEnd(List<Line> lines, String suffix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).text().endsWith(suffix)) {
                return i;
            }
        }
        return -1;
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java")
                .toString();
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }
}
