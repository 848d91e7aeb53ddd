package dev.waituntil.it.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.waituntil.it.support.ChaosRounds;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JettyDistribution;
import dev.waituntil.it.support.JettyServerProcess;
import dev.waituntil.it.support.JettyTestWebApp.Record;
import dev.waituntil.it.support.KeepAliveConnection;
import dev.waituntil.it.support.LoadClients;
import dev.waituntil.it.support.MisbehavingTasks;
import dev.waituntil.it.support.OverloadBurst;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drain before connectors close and before the application is torn down, on a real Jetty distribution
 * started as its own process ({@link JettyServerProcess}: {@code java -javaagent:... -jar start.jar} in a fresh
 * {@code JETTY_BASE}), with the test web application of {@link dev.waituntil.it.support.JettyTestWebApp}, which
 * bundles the API jar and writes what happens (task done, servlet destroyed, context destroyed) to a record
 * file that the tests read after the server has exited. Subclasses name the distribution and environment.
 *
 * <p>What each test checks:
 * <ul>
 * <li>SIGTERM with 45 pending tasks (1 to 3 s) and 2 requests still in flight: with the agent, every task,
 *     the in-flight requests' tasks included, is done before its servlet is destroyed and before
 *     {@code contextDestroyed}, and before Jetty logs that its connector stopped; the in-flight requests are
 *     answered. The same run without the agent (the control) loses tasks or runs them after the application
 *     was destroyed.
 * <li>Undeploy (the WAR deleted from {@code webapps/}, the scanner undeploys within a second): the
 *     application's tasks finish before its servlet is destroyed and before {@code contextDestroyed}; the
 *     other application keeps serving, and its own long task is not waited for by that undeploy.
 * <li>A task that never ends, {@code -Dwaituntil.drain.timeout=3s}: the JVM exits after the deadline, not held by
 *     the task (within 30 s of the deadline: "soon after" on any machine), and the log names the task as "still
 *     pending".
 * <li>Continuous load from 4 client threads while SIGTERM arrives: every request that reached the application
 *     (its {@code REQUEST} line), whatever its answer, has its task done, before {@code contextDestroyed} and before
 *     the connector stopped, and no request is answered 5xx. The figures, every status counted, are printed.
 * <li>{@code start.jar --stop} (through Jetty's ShutdownMonitor), with 20 tasks and a request in flight: the
 *     tasks finish before {@code contextDestroyed} and before the connector stopped; the request is answered.
 * </ul>
 * All requests go to 127.0.0.1; every wait and every loop is bounded; every server is killed in the end.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
abstract class JettyDrainTests {

    private static final String APP = "app";
    private static final String OTHER = "other";
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RECORD_WAIT = Duration.ofSeconds(40);

    private final JettyDistribution distribution;

    protected JettyDrainTests(JettyDistribution distribution) {
        this.distribution = distribution;
    }

    private String work(String name) {
        return "jetty-drain/" + distribution.id() + "/" + name;
    }

    /**
     * Worker threads for {@code WaitUntil.run}, with and without the agent (the standalone mode reads the same
     * property): the default, the number of processors (2 here), would run 45 tasks of 1 to 3 s one pair at a
     * time, some 45 s, longer than the 30 s drain timeout. The tests are about when tasks run, not how many
     * at once.
     */
    private static final String EXECUTOR_THREADS = "64";

    private static UnaryOperator<JavaProcess.Builder> withAgent(String arguments) {
        return jvm -> jvm.javaAgent(ItEnvironment.agentJar(), arguments)
                .systemProperty("waituntil.executor.threads", EXECUTOR_THREADS);
    }

    private static UnaryOperator<JavaProcess.Builder> withoutAgent() {
        return jvm -> jvm.systemProperty("waituntil.executor.threads", EXECUTOR_THREADS);
    }

    private static void report(String figures) {
        Figures.print(figures);
    }

    /** The agent's own account of the drains (debug=true), for the figures: "drain of ...: N ms, ...". */
    private static String drainLines(JettyServerProcess server) {
        List<String> lines = server.process().linesContaining("wait-until: drain of ");
        return lines.isEmpty()
                ? "no drain line"
                : lines.stream()
                        .map(l -> l.substring(l.indexOf("drain of ")))
                        .collect(Collectors.joining(" | ", "agent: ", ""));
    }

    /** An exception and its causes, so that a failed request says how its connection ended. */
    private static String causeChain(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e.getCause() == null ? e : e.getCause(); t != null; t = t.getCause()) {
            s.append(s.length() == 0 ? "" : " <- ").append(t);
        }
        return s.toString();
    }

    // ---- a. SIGTERM with pending tasks and requests in flight ---------------------------------------------

    /** What one SIGTERM run left behind. */
    private record SigtermRun(
            JettyServerProcess server, Record record, Tally tally, List<String> slowAnswers, long exitMillis) {}

    private SigtermRun sigtermWithPendingTasksAndRequestsInFlight(String name, boolean agent) throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work(name), APP)) {
            server.start(
                    distribution + (agent ? " with the agent" : " without the agent (control)"),
                    agent ? withAgent("debug=true") : withoutAgent(),
                    APP);
            assertEquals("pong /app agent=" + agent, server.ok("/app/ping").strip(), server.describe());

            List<String> labels = new ArrayList<>();
            for (int i = 1; i <= 45; i++) {
                String label = String.format("task-%02d", i);
                long ms = 1000 + (i * 389L) % 2001; // 1 to 3 s, spread
                assertEquals(
                        "accepted " + label,
                        server.ok("/app/work?label=" + label + "&ms=" + ms).strip());
                labels.add(label);
            }
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                String label = "slow-" + i;
                slow.add(server.getAsync("/app/slow?label=" + label + "&ms=2000&task=1500"));
                labels.add(label);
            }
            server.awaitRecord("SLOW-IN", "slow-1", RECORD_WAIT);
            server.awaitRecord("SLOW-IN", "slow-2", RECORD_WAIT);

            server.sigterm();
            long exitMillis = server.awaitExit(EXIT_TIMEOUT);
            List<String> slowAnswers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> s : slow) {
                try {
                    HttpResponse<String> r = s.get(10, TimeUnit.SECONDS);
                    slowAnswers.add(r.statusCode() + " " + r.body().strip());
                } catch (Exception e) {
                    slowAnswers.add("failed: " + causeChain(e));
                }
            }
            Record record = server.record();
            Tally tally = Tally.of(record, labels, "/" + APP);
            report(distribution + (agent ? ", agent" : ", no agent (control)")
                    + ", SIGTERM with 45 tasks + 2 in flight: "
                    + tally + "; SIGTERM to contextDestroyed " + sinceStop(server, record, "/" + APP)
                    + " ms, to exit " + exitMillis + " ms; in-flight answers " + slowAnswers
                    + (agent ? "; " + drainLines(server) : ""));
            return new SigtermRun(server, record, tally, slowAnswers, exitMillis);
        }
    }

    @Test
    void sigtermWaitsForEveryTaskAndTheRequestsInFlightBeforeConnectorsCloseAndTheApplicationIsDestroyed()
            throws Exception {
        SigtermRun run = sigtermWithPendingTasksAndRequestsInFlight("sigterm-agent", true);
        String out = run.server().describe();
        Tally tally = run.tally();
        assertTrue(tally.destroyedIndex >= 0, "contextDestroyed was called during the stop\n" + out);
        assertTrue(tally.servletDestroyedIndex >= 0, "the servlet was destroyed during the stop\n" + out);
        assertNone("tasks lost (no DONE line)", tally.lost, out);
        assertNone("tasks done only after the servlet's destroy() or contextDestroyed", tally.late, out);
        assertNone("tasks cancelled", tally.interrupted, out);
        assertEquals(47, tally.finished.size(), out);
        for (String answer : run.slowAnswers()) {
            assertTrue(
                    answer.startsWith("200 accepted slow-"),
                    "the requests in flight at SIGTERM are answered: " + run.slowAnswers() + "\n" + out);
        }
        JavaProcess p = run.server().process();
        int draining = p.indexOfLineContaining("wait-until: draining");
        assertTrue(draining >= 0, "the agent logs its drain (debug=true)\n" + out);
        assertLastTaskBeforeConnectorStopped(p, out);
    }

    /**
     * In the server's output (standard output and standard error through one pipe, so in the order written),
     * every task's {@code RECORD DONE} line comes before Jetty's "Stopped ...ServerConnector" line.
     */
    private static void assertLastTaskBeforeConnectorStopped(JavaProcess p, String out) {
        List<String> lines = p.texts();
        int lastDone = -1;
        int connectorStopped = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("RECORD DONE ")) {
                lastDone = i;
            }
            if (connectorStopped < 0 && l.contains("Stopped") && l.contains("ServerConnector")) {
                connectorStopped = i;
            }
        }
        assertTrue(connectorStopped >= 0, "Jetty logged that its connector stopped\n" + out);
        assertTrue(
                lastDone >= 0 && lastDone < connectorStopped,
                "the last task was done (line " + lastDone + ") before the connector stopped (line " + connectorStopped
                        + ")\n" + out);
    }

    @Test
    void withoutTheAgentTheSameSigtermLosesTasksOrRunsThemAfterTheApplicationIsDestroyed() throws Exception {
        SigtermRun run = sigtermWithPendingTasksAndRequestsInFlight("sigterm-control", false);
        Tally tally = run.tally();
        assertTrue(
                tally.lost.size() + tally.late.size() + tally.interrupted.size() > 0,
                "the control lost no task and ran none after contextDestroyed: this test could not tell the agent's "
                        + "drain from none\n" + run.server().describe());
    }

    // ---- b. undeploy --------------------------------------------------------------------------------------

    @Test
    void undeployDrainsTheApplicationsTasksBeforeItsServletsAndContextAreDestroyedWhileTheServerStaysUp()
            throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("undeploy"), APP, OTHER)) {
            server.start(distribution + " with the agent (undeploy)", withAgent("debug=true"), APP, OTHER);
            List<String> labels = new ArrayList<>();
            for (int i = 1; i <= 12; i++) {
                String label = String.format("undeploy-%02d", i);
                server.ok("/app/work?label=" + label + "&ms=" + (1000 + (i * 523L) % 2001));
                labels.add(label);
            }
            // Pending in the other application for longer than the undeploy takes: an undeploy of /app must not wait
            // for it.
            server.ok("/other/work?label=other-long&ms=8000");

            long removed = System.currentTimeMillis();
            Files.delete(server.war(APP));
            server.awaitRecord("DESTROYED", "/" + APP, RECORD_WAIT);
            // Tasks not done at contextDestroyed may still finish after it: give them the time they would need
            // (at most 3 s), so that the figures tell "done late" from "lost". None to wait for when the drain works.
            Record record = awaitSettled(server, labels, Duration.ofSeconds(4));
            long undeployMillis = record.millisOf("DESTROYED", "/" + APP) - removed;
            String out = server.describe();

            Tally tally = Tally.of(record, labels, "/" + APP);
            report(distribution + ", agent, undeploy with 12 tasks: " + tally + "; removal to contextDestroyed "
                    + undeployMillis + " ms; " + drainLines(server));
            assertNone("tasks of /app not done when it was destroyed", tally.lost, out);
            assertNone("tasks of /app done after its servlet or context was destroyed", tally.late, out);
            assertNone("tasks cancelled", tally.interrupted, out);

            assertTrue(server.isAlive(), "the server stays up\n" + out);
            assertEquals(
                    "pong /other agent=true",
                    server.ok("/other/ping").strip(),
                    "the other application still answers\n" + out);
            assertEquals(404, server.get("/app/ping").statusCode(), "/app is gone\n" + out);
            server.ok("/other/work?label=other-after&ms=100");
            server.awaitRecord("DONE", "other-after", RECORD_WAIT);
            assertFalse(
                    server.record().has("DESTROYED", "/" + OTHER), "/other was not destroyed\n" + server.describe());

            Record now = server.record();
            assertTrue(
                    !now.has("DONE", "other-long")
                            || now.indexOf("DONE", "other-long") > now.indexOf("DESTROYED", "/" + APP),
                    "the undeploy of /app did not wait for the task of /other\n" + server.describe());

            // And the shutdown after it drains /other, the long task included.
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            Record end = server.record();
            Tally other = Tally.of(end, List.of("other-long", "other-after"), "/" + OTHER);
            assertEquals(
                    2,
                    other.finished.size(),
                    "the shutdown after the undeploy drains /other: " + other + "\n" + server.describe());
        }
    }

    // ---- c. a task that never ends ------------------------------------------------------------------------

    @Test
    void aTaskThatNeverEndsIsNamedAndTheServerExitsSoonAfterTheDrainDeadline() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("stuck"), APP)) {
            server.start(
                    distribution + " with the agent (stuck task, drain timeout 3s)",
                    jvm -> withAgent("debug=true").apply(jvm).systemProperty("waituntil.drain.timeout", "3s"),
                    APP);
            server.ok("/app/stuck?label=stuck-forever");
            server.ok("/app/work?label=quick&ms=500");
            server.awaitRecord("STUCK", "stuck-forever", RECORD_WAIT);

            server.sigterm();
            long exitMillis = server.awaitExit(EXIT_TIMEOUT);
            Record record = server.record();
            String out = server.describe();
            long toDestroyed = sinceStop(server, record, "/" + APP);
            report(distribution + ", agent, stuck task with drain.timeout=3s: SIGTERM to contextDestroyed "
                    + toDestroyed
                    + " ms, to exit " + exitMillis + " ms; stuck task interrupted: "
                    + record.has("INTERRUPTED", "stuck-forever")
                    + ", named as still pending in "
                    + server.process().lines().stream()
                            .filter(l -> l.text().contains("stuck-forever")
                                    && l.text().contains("still pending"))
                            .count()
                    + " log line(s); " + drainLines(server));

            // The task never ends: an exit at all tells the drain's deadline from the task; 30 s past the deadline is
            // "soon after it" on any machine. How soon is printed above.
            assertTrue(
                    exitMillis < 3_000 + 30_000,
                    "the JVM exits soon after the 3 s deadline, although the task still " + "runs: " + exitMillis
                            + " ms\n" + out);
            assertTrue(
                    toDestroyed >= 2_500,
                    "the drain held the application up to its deadline before it was destroyed: " + toDestroyed
                            + " ms\n" + out);
            JavaProcess p = server.process();
            assertTrue(
                    p.firstLine(l -> l.contains("stuck-forever") && l.contains("still pending"))
                            .isPresent(),
                    "the log names the task that was still pending\n" + out);
            assertTrue(
                    record.has("DONE", "quick")
                            && record.indexOf("DONE", "quick") < record.indexOf("DESTROYED", "/" + APP),
                    "the task that could finish finished before contextDestroyed\n" + out);
            assertFalse(record.has("DONE", "stuck-forever"), out);
        }
    }

    // ---- d. continuous load while SIGTERM arrives ---------------------------------------------------------

    @Test
    void underContinuousLoadEveryAcceptedRequestsTaskIsDoneBeforeTheApplicationIsDestroyed() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("load"), APP)) {
            server.start(distribution + " with the agent (load)", withAgent("debug=true"), APP);
            LoadFigures figures = loadWhileStopping(server, 4, Duration.ofMillis(2500), 20);
            Record record = server.record();
            Tally tally = Tally.of(record, figures.requested, "/" + APP);
            report(distribution + ", agent, load from 4 clients across SIGTERM: " + figures + "; " + tally
                    + "; SIGTERM to exit " + figures.exitMillis + " ms; " + drainLines(server));
            String out = server.describe();
            assertTrue(
                    figures.load.answered2xx().size() >= 20,
                    "the load got through before the stop: "
                            + figures.load.answered2xx().size() + " answered 2xx\n" + out);
            assertTrue(figures.load.refused() > 0, "the load went on until the server refused it\n" + out);
            assertAcceptedLoadDone(figures, tally, out);
            assertLastTaskBeforeConnectorStopped(server.process(), out);
        }
    }

    /**
     * Keep-alive load across SIGTERM, with {@code -Dwaituntil.drain.timeout=20s}: 6 clients, each on a connection of
     * its own that it keeps across its requests ({@link KeepAliveConnection}), send {@code /app/work} every 40 ms or
     * so; SIGTERM comes 2.5 s into the load, once 50 requests were answered 2xx (a count, not assumed from the time:
     * bounded by 30 s), and the clients go on. Jetty's stop makes its connectors stop accepting before the drain. The
     * stop must end within the drain timeout (with 15 s to spare for a loaded machine), the task
     * of every request that reached the application must be done before the application's teardown and none
     * cancelled, and no request may be answered 5xx. Both fail where requests that come on kept-alive connections
     * during the stop are refused their work (5xx) or keep the drain busy to its deadline (tasks cancelled). Run by
     * the subclasses that CI runs it for.
     */
    protected void keepAliveLoadAcrossSigterm() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("keep-alive"), APP)) {
            server.start(
                    distribution + " with the agent (keep-alive load, drain timeout "
                            + KeepAliveConnection.DRAIN_TIMEOUT + ")",
                    jvm -> withAgent("debug=true")
                            .apply(jvm)
                            .systemProperty("waituntil.drain.timeout", KeepAliveConnection.DRAIN_TIMEOUT),
                    APP);
            KeepAliveConnection.Stats connections = new KeepAliveConnection.Stats();
            LoadClients load = LoadClients.settings()
                    .clients(6)
                    .start(
                            KeepAliveConnection.perClient(
                                    server.uri("/"),
                                    connections,
                                    () -> server.stopSignalWallMillis() > 0,
                                    (label, ms) -> "/" + APP + "/work?label=" + label + "&ms=" + ms),
                            server::isAlive);
            Thread.sleep(2500);
            load.awaitAnswered2xx(KeepAliveConnection.LOAD_BEFORE, Duration.ofSeconds(30));
            load.stopping();
            server.sigterm();
            long exitMillis = server.awaitExit(EXIT_TIMEOUT);
            load.finish();
            LoadFigures figures = new LoadFigures(load, server.record(), exitMillis);
            Tally tally = Tally.of(server.record(), figures.requested, "/" + APP);
            List<String> stillPending = server.process().linesContaining("still pending");
            report(distribution + ", agent, keep-alive load from 6 clients across SIGTERM, drain timeout "
                    + KeepAliveConnection.DRAIN_TIMEOUT + ": " + figures + "; " + connections + "; " + tally
                    + "; 'still pending' lines "
                    + stillPending.size() + "; SIGTERM to exit " + exitMillis + " ms; " + drainLines(server));
            String out = figures + "\n" + connections + "\n" + server.describe();
            KeepAliveConnection.assertKeptAliveAcrossABoundedStop(load, connections, exitMillis, out);
            assertAcceptedLoadDone(figures, tally, out);
            assertEquals(List.of(), stillPending, "no task was left at a deadline\n" + out);
        }
    }

    /**
     * Chaos shutdown: {@link ChaosRounds} rounds, each a fresh server under continuous load from 4
     * clients, ended by a SIGTERM at a random instant (0.3 to 4 s into the load). In every round the task of every
     * request that reached the application must finish, before the application is destroyed, none may be
     * cancelled, and no request may be answered 5xx. On the containers the settings name (CI: Jetty 12 ee10); the
     * {@code stress} profile runs 50 rounds on every Jetty.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // 50 rounds under the stress profile; each round is bounded
    void chaosShutdownUnderLoadAtRandomInstantsLosesNothing() throws Exception {
        ChaosRounds chaos = ChaosRounds.forContainer(distribution.id());
        chaos.run(JettyDrainTests::report, (round, instant) -> {
            try (JettyServerProcess server = JettyServerProcess.create(distribution, work("chaos-" + round), APP)) {
                server.start(
                        distribution + " with the agent (chaos round " + round + ")", withAgent("debug=true"), APP);
                LoadFigures figures = loadWhileStopping(server, 4, instant, 0);
                Tally tally = Tally.of(server.record(), figures.requested, "/" + APP);
                report(chaos.record(
                        round,
                        instant,
                        figures.requested.size(),
                        tally.finished.size(),
                        tally.lost.size(),
                        tally.late.size(),
                        figures.load,
                        figures.exitMillis));
                String out = chaos.describe(round, "SIGTERM", instant) + "\n" + server.describe();
                assertAcceptedLoadDone(figures, tally, out);
                return figures.requested.size();
            }
        });

        // The control: one round without the agent, SIGTERM 2 s into the load. The same checks must see losses.
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("chaos-control"), APP)) {
            server.start(distribution + " without the agent (chaos control)", withoutAgent(), APP);
            LoadFigures figures = loadWhileStopping(server, 4, Duration.ofSeconds(2), 0);
            Tally tally = Tally.of(server.record(), figures.requested, "/" + APP);
            report("chaos " + distribution.id() + " control without the agent: " + figures + "; " + tally);
            assertTrue(
                    !tally.lost.isEmpty() || !tally.late.isEmpty(),
                    "without the agent the same round loses tasks or "
                            + "runs them after the application was destroyed; if not, the checks above prove nothing: "
                            + tally);
        }
    }

    /**
     * Misbehaving tasks inside the server under load ({@link MisbehavingTasks}): a task that swallows
     * interrupts, one that blocks until interrupted, a chain of tasks that register the next during the drain, and
     * 2 000 futures completed in one loop during the drain, beside continuous load; SIGTERM; drain timeout 5 s.
     */
    @Test
    void misbehavingTasksUnderLoadHoldTheStopToTheDeadlineAndNothingElseIsLost() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("misbehaving"), APP)) {
            server.start(
                    distribution + " with the agent (misbehaving tasks)",
                    jvm -> withAgent("debug=false")
                            .apply(jvm)
                            .systemProperty("waituntil.drain.timeout", MisbehavingTasks.DRAIN_TIMEOUT),
                    APP);
            LoadClients load = startLoad(server, 4);
            Thread.sleep(1000);
            load.awaitAnswered2xx(MisbehavingTasks.LOAD_BEFORE, MisbehavingTasks.LOAD_WAIT);
            MisbehavingTasks.register(path -> server.get("/" + APP + path).statusCode());
            Thread.sleep(300);
            load.stopping();
            server.sigterm();
            long exitMillis = server.awaitExit(EXIT_TIMEOUT);
            load.finish();
            MisbehavingTasks.assertOutcome(
                    distribution + ", SIGTERM", server.record(), server.process(), load, exitMillis, "/" + APP);
        }
    }

    /**
     * Overload ({@link OverloadBurst}): one executor thread and a queue of 20, 320 requests at once, each
     * registering a task of 100 ms. Registrations beyond the queue get {@code RejectedTaskException} (the
     * application answers 503); none is dropped silently, and Jetty keeps answering meanwhile.
     */
    @Test
    void overloadRejectsBeyondTheQueueDropsNothingSilentlyAndKeepsAnswering() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("overload"), APP)) {
            server.start(
                    distribution + " with the agent (overload)",
                    jvm -> {
                        JavaProcess.Builder b = withAgent("debug=true").apply(jvm);
                        OverloadBurst.SYSTEM_PROPERTIES.forEach(b::systemProperty);
                        return b;
                    },
                    APP);
            OverloadBurst burst =
                    OverloadBurst.send(path -> server.get("/" + APP + path).statusCode());
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            Record record = server.record();
            burst.assertNothingDroppedSilently(
                    distribution.toString(),
                    l -> record.has("DONE", l),
                    l -> record.has("REJECTED", l),
                    server.process().countLinesContaining("the executor's queue is full"),
                    server.describe());
        }
    }

    /** A load run: what the clients saw, the load's tasks the application recorded a request for, the stop's length. */
    private static final class LoadFigures {
        final LoadClients load;
        /** Every task the application owes: its request reached the servlet ({@code REQUEST}), whatever the answer. */
        final List<String> requested;

        final long exitMillis;

        LoadFigures(LoadClients load, Record record, long exitMillis) {
            this.load = load;
            this.requested = record.subjects("REQUEST", "load-");
            this.exitMillis = exitMillis;
        }

        @Override
        public String toString() {
            return "requests " + load.statusCounts() + "; reached the application " + requested.size();
        }
    }

    /**
     * What a load across a stop must leave with the agent: every request the application saw has its task done,
     * before the application's teardown, none cancelled; and no user saw a 5xx, which the same load without the
     * agent does not get either (the control rounds print their statuses).
     */
    private static void assertAcceptedLoadDone(LoadFigures figures, Tally tally, String out) {
        assertNone(
                "requests answered 2xx that the application did not record",
                figures.load.answeredButNotRecorded(figures.requested),
                out);
        assertNone("requests the application saw whose task was lost", tally.lost, out);
        assertNone("requests the application saw whose task ran after the application was destroyed", tally.late, out);
        assertNone("tasks cancelled", tally.interrupted, out);
        assertEquals(Map.of(), figures.load.answered5xx(), "no request was answered 5xx: " + figures + "\n" + out);
    }

    /**
     * {@link LoadClients} sending {@code /app/work} for {@code before} and until {@code min2xx} requests were answered
     * 2xx (bounded: 30 s), then across a SIGTERM until Jetty has exited.
     */
    private static LoadFigures loadWhileStopping(JettyServerProcess server, int clients, Duration before, int min2xx)
            throws Exception {
        LoadClients load = startLoad(server, clients);
        Thread.sleep(before.toMillis());
        load.awaitAnswered2xx(min2xx, Duration.ofSeconds(30));
        load.stopping();
        server.sigterm();
        long exitMillis = server.awaitExit(EXIT_TIMEOUT);
        load.finish();
        return new LoadFigures(load, server.record(), exitMillis);
    }

    /** {@link LoadClients} sending {@code /app/work} to {@code server}. */
    private static LoadClients startLoad(JettyServerProcess server, int clients) {
        return LoadClients.start(
                clients,
                (label, ms) -> LoadClients.Answer.of(server.get("/app" + LoadClients.work(label, ms))),
                server::isAlive);
    }

    // ---- e. start.jar --stop ------------------------------------------------------------------------------

    @Test
    void stopThroughStartJarStopWaitsForEveryTaskBeforeTheApplicationIsDestroyed() throws Exception {
        try (JettyServerProcess server = JettyServerProcess.create(distribution, work("stop-command"), APP)) {
            server.start(distribution + " with the agent (start.jar --stop)", withAgent("debug=true"), APP);
            List<String> labels = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                String label = String.format("stop-%02d", i);
                server.ok("/app/work?label=" + label + "&ms=" + (1000 + (i * 389L) % 2001));
                labels.add(label);
            }
            CompletableFuture<HttpResponse<String>> slow =
                    server.getAsync("/app/slow?label=stop-slow&ms=1500&task=1000");
            labels.add("stop-slow");
            server.awaitRecord("SLOW-IN", "stop-slow", RECORD_WAIT);

            JavaProcess stop = server.stopWithStartJar(Duration.ofSeconds(60));
            long exitMillis = server.awaitExit(EXIT_TIMEOUT);
            Record record = server.record();
            Tally tally = Tally.of(record, labels, "/" + APP);
            String answer;
            try {
                answer = String.valueOf(slow.get(10, TimeUnit.SECONDS).statusCode());
            } catch (Exception e) {
                answer = "failed: " + e.getCause();
            }
            report(distribution + ", agent, start.jar --stop with 20 tasks + 1 in flight: " + tally
                    + "; stop command to contextDestroyed " + sinceStop(server, record, "/" + APP) + " ms, to exit "
                    + exitMillis + " ms; in-flight answer " + answer + "; --stop exit "
                    + stop.waitFor(Duration.ofSeconds(1))
                    + "; " + drainLines(server));
            String out = stop.describe() + "\n" + server.describe();
            assertTrue(tally.destroyedIndex >= 0, "contextDestroyed was called\n" + out);
            assertNone("tasks lost (no DONE line)", tally.lost, out);
            assertNone("tasks done only after the servlet's destroy() or contextDestroyed", tally.late, out);
            assertNone("tasks cancelled", tally.interrupted, out);
            assertEquals("200", answer, "the request in flight is answered\n" + out);
            assertLastTaskBeforeConnectorStopped(server.process(), out);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** The record once every one of {@code labels} is done or interrupted, or when {@code timeout} has passed. */
    private static Record awaitSettled(JettyServerProcess server, List<String> labels, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Record record = server.record();
            boolean settled = labels.stream().allMatch(l -> record.has("DONE", l) || record.has("INTERRUPTED", l));
            if (settled || System.nanoTime() - deadline > 0) {
                return record;
            }
            Thread.sleep(50);
        }
    }

    /** Fails, naming the labels first (the server's output follows), unless {@code labels} is empty. */
    private static void assertNone(String what, List<String> labels, String out) {
        if (!labels.isEmpty()) {
            fail(what + ": " + labels.size() + " " + labels + "\n" + out);
        }
    }

    private static long sinceStop(JettyServerProcess server, Record record, String contextPath) {
        long destroyed = record.millisOf("DESTROYED", contextPath);
        return destroyed < 0 ? -1 : destroyed - server.stopSignalWallMillis();
    }

    /**
     * The tasks of one application as the record tells them: finished (done before the application's servlet
     * was destroyed and before {@code contextDestroyed}, or done while neither has happened), done after
     * teardown (after either), lost (no DONE line: never done, or not yet when the record was read), and,
     * across these, interrupted (cancelled).
     */
    static final class Tally {
        final List<String> finished = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        final List<String> lost = new ArrayList<>();
        final List<String> interrupted = new ArrayList<>();
        int destroyedIndex;
        int servletDestroyedIndex;

        static Tally of(Record record, List<String> labels, String contextPath) {
            Tally t = new Tally();
            t.destroyedIndex = record.indexOf("DESTROYED", contextPath);
            t.servletDestroyedIndex = record.indexOf("SERVLET-DESTROYED", contextPath);
            int firstTeardown = record.teardownIndex(contextPath);
            for (String label : labels) {
                int done = record.indexOf("DONE", label);
                if (record.has("INTERRUPTED", label)) {
                    t.interrupted.add(label);
                }
                if (done < 0) {
                    t.lost.add(label);
                } else if (firstTeardown >= 0 && done > firstTeardown) {
                    t.late.add(label);
                } else {
                    t.finished.add(label);
                }
            }
            return t;
        }

        @Override
        public String toString() {
            int total = finished.size() + late.size() + lost.size();
            return "tasks " + total + ": finished before teardown " + finished.size() + ", done after teardown "
                    + late.size() + ", lost " + lost.size()
                    + (interrupted.isEmpty() ? "" : ", interrupted " + interrupted.size());
        }
    }
}
