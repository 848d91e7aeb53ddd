package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JettyDistribution;
import dev.waituntil.it.support.JettyServerProcess;
import dev.waituntil.it.support.JettyTestWebApp.Record;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The task watchdog ({@code waituntil.task.warnAfter}, {@code errorAfter}, {@code timeout}) on a real
 * Jetty 12 distribution (ee10) started as its own process with the agent, the settings given as system
 * properties, the way an operator would. The application is {@link dev.waituntil.it.support.JettyTestWebApp}:
 * {@code /work} runs a task of N ms, {@code /stuck} one that ends only when interrupted.
 *
 * <ul>
 * <li>A slow task is named, with its request, by one warning at warnAfter and one error at errorAfter, in
 *     Jetty's console; a quick task is not named; the slow task still finishes.
 * <li>With {@code task.timeout=10s} and a 60 s drain timeout, a task that never ends is cancelled
 *     (interrupted) at 10 s and named; SIGTERM then does not wait for it: the JVM exits long before the drain's
 *     deadline, the drain does not time out. The control, without a task timeout and a 6 s drain timeout, waits
 *     the whole 6 s and names the task as still pending: the first test can fail.
 * </ul>
 *
 * <p>The thresholds leave 10 s between what must happen before them and after them (a task of 100 ms or 500 ms
 * must end before a threshold of 10 s; a slow task must still run 10 s after its error is due), so that no
 * outcome depends on how soon a loaded machine wakes a thread.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TaskWatchdogIT {

    private static final JettyDistribution JETTY = JettyDistribution.JETTY_12_EE10;
    private static final String APP = "app";
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

    private static UnaryOperator<JavaProcess.Builder> agent(String... properties) {
        return jvm -> {
            JavaProcess.Builder b = jvm.javaAgent(ItEnvironment.agentJar());
            for (String p : properties) {
                int eq = p.indexOf('=');
                b = b.systemProperty("waituntil." + p.substring(0, eq), p.substring(eq + 1));
            }
            return b;
        };
    }

    @Test
    void aSlowTaskIsNamedByAWarningAndThenAnErrorWithItsRequestAndStillFinishes() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(JETTY, "watchdog/slow", APP)) {
            server.start(
                    JETTY + " with the agent, warnAfter=10s, errorAfter=12s",
                    agent("task.warnAfter=10s", "task.errorAfter=12s"),
                    APP);
            server.ok("/app/work?label=quick-task&ms=100");
            server.ok("/app/work?label=slow-report&ms=22000"); // still running 10 s after its error is due

            JavaProcess p = server.process();
            JavaProcess.Line warning = p.awaitLine(
                    l -> l.contains("'slow-report'") && l.contains("has run longer than waituntil.task.warnAfter=10s"),
                    WAIT);
            JavaProcess.Line error = p.awaitLine(
                    l -> l.contains("'slow-report'") && l.contains("has run longer than waituntil.task.errorAfter=12s"),
                    WAIT);
            Record record = server.awaitRecord("DONE", "slow-report", WAIT);
            String out = server.describe();

            assertTrue(
                    warning.text().contains("request GET /app/work")
                            && warning.text().contains("application /app"),
                    "the warning names the request and the application: " + warning + "\n" + out);
            assertTrue(warning.text().contains("WARN"), "at WARN level: " + warning + "\n" + out);
            assertTrue(error.text().contains("ERROR") || error.text().contains("SEVERE"), "at ERROR level: " + error);
            assertTrue(warning.millis() <= error.millis(), "the warning first");
            assertEquals(1, p.countLinesContaining("waituntil.task.warnAfter=10s"), "one warning\n" + out);
            assertEquals(0, p.linesContaining("'quick-task'").size(), "a quick task is not named\n" + out);
            assertTrue(record.has("DONE", "quick-task"), record.toString());
            Figures.print(JETTY + ", warnAfter=10s, errorAfter=12s: the error line came "
                    + (error.millis() - warning.millis())
                    + " ms after the warning (2000 expected, to the watchdog's resolution)");
        }
    }

    @Test
    void anOverrunningTaskIsCancelledAtTaskTimeoutAndTheShutdownDoesNotWaitForIt() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(JETTY, "watchdog/timeout", APP)) {
            long exitMillis = stuckTaskThenSigterm(
                    server,
                    "task.timeout=10s, drain.timeout=60s",
                    agent("task.timeout=10s", "drain.timeout=60s"),
                    "in-time");
            Record record = server.record();
            JavaProcess p = server.process();
            String out = server.describe() + "\nrecord:\n" + record;

            assertTrue(record.has("INTERRUPTED", "runaway"), "the task was interrupted\n" + out);
            assertTrue(
                    p.firstLine(l -> l.contains("'runaway'")
                                    && l.contains("ran longer than waituntil.task.timeout=10s; cancelled it"))
                            .isPresent(),
                    "and named\n" + out);
            assertTrue(record.has("DONE", "in-time"), "a task within the timeout finishes\n" + out);
            assertEquals(
                    List.of(),
                    p.linesContaining("'in-time'").stream()
                            .filter(l -> l.contains("task.timeout"))
                            .toList(),
                    "and is not cancelled\n" + out);
            // Cancelled at 10 s, where the drain alone would wait 60 s: 40 s tells the two apart on any machine.
            assertTrue(exitMillis < 40_000, "the stop did not wait 60 s for it: " + exitMillis + " ms\n" + out);
            assertEquals(List.of(), p.linesContaining("still pending"), "the drain did not time out\n" + out);
        }
    }

    /** The control for the test above: no task timeout, so the same stuck task holds the stop to the drain's deadline. */
    @Test
    void withoutATaskTimeoutTheSameTaskHoldsTheShutdownToTheDrainDeadline() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(JETTY, "watchdog/control", APP)) {
            long exitMillis = stuckTaskThenSigterm(
                    server, "no task timeout, drain.timeout=6s", agent("drain.timeout=6s"), "in-time");
            JavaProcess p = server.process();
            String out = server.describe();
            assertTrue(exitMillis >= 5_500, "the stop waited for the drain's deadline: " + exitMillis + " ms\n" + out);
            assertTrue(
                    p.firstLine(l -> l.contains("'runaway'") && l.contains("still pending"))
                            .isPresent(),
                    out);
            assertEquals(List.of(), p.linesContaining("waituntil.task.timeout"), out);
        }
    }

    /** Starts the server, registers a task that never ends ("runaway") and one of 500 ms, sends SIGTERM; returns the time to exit. */
    private static long stuckTaskThenSigterm(
            JettyServerProcess server, String settings, UnaryOperator<JavaProcess.Builder> jvm, String quickTask)
            throws Exception {
        server.start(JETTY + " with the agent, " + settings, jvm, APP);
        server.ok("/app/stuck?label=runaway");
        server.ok("/app/work?label=" + quickTask + "&ms=500");
        server.awaitRecord("STUCK", "runaway", WAIT);
        server.sigterm();
        long exitMillis = server.awaitExit(EXIT_TIMEOUT);
        Figures.print(JETTY + ", " + settings + ", a task that never ends: SIGTERM to exit " + exitMillis + " ms");
        return exitMillis;
    }
}
