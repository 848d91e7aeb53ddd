package dev.waituntil.it.tomcat;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ChaosRounds;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.KeepAliveConnection;
import dev.waituntil.it.support.LoadClients;
import dev.waituntil.it.support.OverloadBurst;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import dev.waituntil.it.support.TomcatTestWar;
import dev.waituntil.it.support.TomcatTestWar.Event;
import dev.waituntil.it.support.TomcatTestWar.Events;
import dev.waituntil.it.support.TomcatTestWar.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Shutdown and undeploy on a real Tomcat distribution ({@code org.apache.tomcat:tomcat:<v>:tar.gz}),
 * each test with a server of its own: {@code bin/catalina.sh run} in a fresh {@code CATALINA_BASE},
 * with {@code CATALINA_OPTS="-javaagent:wait-until-agent.jar=debug=true ..."}, and the test WAR
 * ({@link TomcatTestWar}, which bundles the API jar) in {@code webapps/}. The application writes
 * {@code DONE <label>}, {@code SERVLET-DESTROYED} and {@code DESTROYED} lines to an events file; the
 * assertions read it after the server has exited, where the order of the lines is the order of the
 * events.
 *
 * <p>What the agent must do: on every stop path, drain all tasks
 * once, with one deadline, before any application is stopped and before the connectors close,
 * waiting for requests still in flight and their tasks; on undeploy, drain that application before
 * its servlets are destroyed and before {@code contextDestroyed}, the server staying up; at the
 * deadline, name every task still pending and cancel it, and go on at once.
 *
 * <p>f. is the API without the agent (standalone mode) in the same WAR: its own
 * {@code ServletContainerInitializer} drains the application at its teardown, on both stop paths.
 *
 * <p>Every server JVM runs {@code -Dwaituntil.executor.threads=64}: with the default (one thread per
 * processor, 2 here) 40 tasks of 1.5-3 s would queue for about 45 s, longer than the default drain
 * timeout. The control run without the agent uses the same setting (standalone mode reads it too).
 *
 * <p>Figures (counts and timings) are printed and appended to {@code target/it-work/distribution-<id>/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TomcatShutdownDrainTests {

    /** 40 tasks, each 1.5 s to 3 s, so all are pending when the stop arrives. */
    private static final int TASKS = 40;

    private static final Duration APP_TIMEOUT = Duration.ofSeconds(30);
    /** Bound on a stop: the drains here last a few seconds; the default drain timeout is 30 s. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(45);
    private static final String THREAD_WARNING = "appears to have started a thread";
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwaituntil.executor.threads=64");

    private final String distributionId;
    private TomcatDistribution tomcat;
    private Path dir;
    private Path war;
    private String agentStarted;

    protected TomcatShutdownDrainTests(String distributionId) {
        this.distributionId = distributionId;
    }

    @BeforeAll
    void buildTheWar() throws Exception {
        tomcat = TomcatDistribution.of(distributionId);
        dir = ItEnvironment.freshWorkDir("distribution-" + distributionId);
        war = TomcatTestWar.build(tomcat, dir.resolve("war"));
        agentStarted = ItEnvironment.agentStartedLine();
    }

    // =====================================================================================  a. SIGTERM

    /**
     * a. SIGTERM with 40 tasks pending in two applications and two requests still in flight: every
     * task finishes, the in-flight requests are answered and their tasks finish too, all before the
     * first servlet {@code destroy()} and the first {@code contextDestroyed} of either application; the
     * drain is logged before the connectors are stopped.
     */
    @Test
    void sigtermWaitsForEveryTaskAndEveryRequestInFlightBeforeAnyApplicationStops() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("sigterm", true, List.of(), "app", "other")) {
            Load load = pendingTasksAndSlowRequests(server, "app", "other");
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Outcome o = Outcome.of(events, load.labels);
            figures("a. SIGTERM, agent", o, server, exit, started);
            String why = o.describe() + "\n" + events.describe() + "\n" + server.describe();

            assertAllPendingAtTheStop(o, load, server, why);
            assertEquals(List.of(), o.lost, "every task finished (none lost)\n" + why);
            assertEquals(List.of(), o.late, "every task finished before the first destroy()/contextDestroyed\n" + why);
            assertTrue(
                    events.first("DESTROYED", "/app").isPresent()
                            && events.first("DESTROYED", "/other").isPresent(),
                    "the stop went on: both applications were destroyed\n" + why);
            for (CompletableFuture<TomcatServer.Response> slow : load.slowRequests) {
                TomcatServer.Response r = slow.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.status(), "a request in flight at the stop is answered: " + r + "\n" + why);
            }
            assertEquals(List.of(), server.linesContaining("still pending"), "nothing timed out\n" + why);
            assertDrainLoggedBeforeTheConnectorsStop(server, why);
            assertAgentHygiene(server);
        }
    }

    /**
     * a. The control: the same run without the agent. The API runs in standalone mode; its JVM
     * shutdown hook runs beside Catalina's, unordered, and its drain at each application's teardown
     * (the API's own {@code ServletContainerInitializer}, see f.) comes only after Tomcat has destroyed
     * the servlets: tasks finish after {@code destroy()}, or are lost. This shows that the test above can
     * fail.
     */
    @Test
    void withoutTheAgentTheSameSigtermLosesTasksOrRunsThemAfterTheApplicationStopped() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("sigterm", false, List.of(), "app", "other")) {
            Load load = pendingTasksAndSlowRequests(server, "app", "other");
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Outcome o = Outcome.of(events, load.labels);
            figures("a. SIGTERM, no agent (control)", o, server, exit, started);
            String why = o.describe() + "\n" + events.describe() + "\n" + server.describe();
            assertAllPendingAtTheStop(o, load, server, why);
            assertTrue(server.firstLine(l -> l.contains(NOT_ATTACHED)).isPresent(), "standalone mode\n" + why);
            assertTrue(
                    !o.lost.isEmpty() || !o.late.isEmpty(),
                    "without the agent some task is lost or finishes after the application stopped\n" + why);
        }
    }

    /**
     * a'. The other stop path: {@code catalina.sh stop} (the shutdown port). Same guarantees as SIGTERM:
     * 40 tasks and a request in flight, all finished before any destroy.
     */
    @Test
    void catalinaShStopThroughTheShutdownPortDrainsTheSameWay() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("catalina-stop", true, List.of(), "app")) {
            Load load = pendingTasksAndSlowRequests(server, "app");
            String stopOutput = server.catalinaShStop();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Outcome o = Outcome.of(events, load.labels);
            figures("a'. catalina.sh stop, agent", o, server, exit, started);
            String why = o.describe() + "\ncatalina.sh stop said:\n" + stopOutput + "\n" + events.describe() + "\n"
                    + server.describe();
            assertAllPendingAtTheStop(o, load, server, why);
            assertEquals(List.of(), o.lost, "every task finished (none lost)\n" + why);
            assertEquals(List.of(), o.late, "every task finished before destroy()/contextDestroyed\n" + why);
            assertTrue(events.first("DESTROYED", "/app").isPresent(), "the stop went on\n" + why);
            for (CompletableFuture<TomcatServer.Response> slow : load.slowRequests) {
                assertEquals(200, slow.get(10, TimeUnit.SECONDS).status(), "the request in flight is answered\n" + why);
            }
            assertEquals(0, exit, "a stop through the shutdown port ends with exit code 0\n" + why);
            assertDrainLoggedBeforeTheConnectorsStop(server, why);
            assertAgentHygiene(server);
        }
    }

    // =====================================================================================  b. undeploy

    /**
     * b. Undeploy one of two applications by deleting its WAR from {@code webapps/} (auto-deployment
     * notices within about a second): its 20 tasks finish before its servlet is destroyed and before
     * its {@code contextDestroyed}; the undeploy does not wait for the other application's long task;
     * the server stays up and the other application still answers and accepts tasks, which the final
     * SIGTERM then drains.
     */
    @Test
    void undeployingTheWarDrainsItsTasksBeforeItStopsWhileTheServerStaysUp() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("undeploy", true, List.of(), "app", "keep")) {
            List<String> appTasks = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                String label = "undeploy-task-" + i;
                server.ok("/app/work?label=" + label + "&ms=" + (2000 + (i * 379) % 1501));
                appTasks.add(label);
            }
            server.ok("/keep/work?label=keep-long&ms=9000");
            long deletedAt = System.currentTimeMillis();
            long deletedNanos = System.nanoTime();
            Files.delete(server.base().webapps().resolve("app.war"));
            server.awaitLine(l -> l.contains("Undeploying context [/app]"), EVENT_TIMEOUT);
            Event destroyed = Events.await(server, "DESTROYED", "/app", EVENT_TIMEOUT);
            long undeployMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedNanos);

            assertTrue(server.isAlive(), "the server stays up\n" + server.describe());
            server.ok("/keep/ping");
            assertEquals(404, server.get("/app/ping").status(), "/app is gone\n" + server.describe());
            server.ok("/keep/work?label=keep-after-undeploy&ms=200");

            Events during = Events.of(server);
            Outcome o = Outcome.of(during, appTasks, "/app");
            String why = o.describe() + "\n" + during.describe() + "\n" + server.describe();
            long pendingAtDelete = appTasks.stream()
                    .filter(l -> during.first("DONE", l)
                            .map(e -> e.millis() > deletedAt)
                            .orElse(true))
                    .count();
            assertEquals(
                    appTasks.size(),
                    pendingAtDelete,
                    "precondition: every task was pending when the WAR was deleted\n" + why);
            assertEquals(List.of(), o.lost, "every task of /app finished\n" + why);
            assertEquals(List.of(), o.late, "... before /app's destroy() and contextDestroyed\n" + why);
            Optional<Event> servletDestroyed = during.first("SERVLET-DESTROYED", "/app");
            assertTrue(servletDestroyed.isPresent(), "/app's servlet was destroyed\n" + why);
            Optional<Event> keepLong = during.first("DONE", "keep-long");
            assertTrue(
                    keepLong.isEmpty() || keepLong.get().index() > destroyed.index(),
                    "undeploying /app does not wait for /keep's tasks\n" + why);
            assertTrue(during.first("DESTROYED", "/keep").isEmpty(), "/keep is untouched\n" + why);

            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events after = Events.of(server);
            Outcome keep = Outcome.of(after, List.of("keep-long", "keep-after-undeploy"), "/keep");
            String why2 = keep.describe() + "\n" + after.describe() + "\n" + server.describe();
            assertEquals(List.of(), keep.lost, "the final SIGTERM drains /keep's tasks\n" + why2);
            assertEquals(List.of(), keep.late, "... before /keep stops\n" + why2);
            figures("b. undeploy /app (20 tasks), agent", o, server, exit, started);
            figure(String.format(
                    "     undeploy: WAR deleted -> DESTROYED /app %,d ms; then SIGTERM drained /keep: %s",
                    undeployMillis, keep.summary()));
            assertAgentHygiene(server);
        }
    }

    // =====================================================================================  c. deadline

    /**
     * c. A task that never ends, {@code -Dwaituntil.drain.timeout=15s}: after SIGTERM the JVM exits no
     * sooner than the deadline and soon after it (within 30 s: on any machine); the output names the task (its label and
     * "still pending"); the other task finished and the application was still destroyed. While the drain waits, a
     * new connection is refused, as at the end of any stop, rather than taken into the listening socket's backlog to
     * wait for the whole drain (Tomcat keeps a socket bound at init open when it pauses). The deadline is long so that
     * the connection is surely tried while the drain waits, on any machine.
     */
    @Test
    void aTaskThatNeverEndsIsNamedAndTheStopGoesOnAtTheDeadline() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("deadline", true, List.of("-Dwaituntil.drain.timeout=15s"), "app")) {
            server.ok("/app/work?label=finishes-in-time&ms=500");
            server.ok("/app/stuck?label=never-ends");
            Events.await(server, "STUCK-RUNNING", "never-ends", EVENT_TIMEOUT);
            server.sigterm();
            server.awaitLine(l -> l.contains("draining the JVM for Tomcat's engine stop"), Duration.ofSeconds(15));
            URI address = URI.create(server.baseUrl());
            String connection;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), 5_000);
                connection = "accepted";
            } catch (ConnectException e) {
                connection = "refused";
            } catch (IOException e) {
                connection = e.toString();
            }
            int exit = server.awaitExit(EXIT_TIMEOUT);
            long stopMillis = server.millisFromStopToExit().orElseThrow();
            Events events = Events.of(server);
            Outcome o = Outcome.of(events, List.of("finishes-in-time"));
            String why = events.describe() + "\n" + server.describe();
            figures("c. never-ending task, drain.timeout=15s, agent", o, server, exit, started);
            figure("     a new connection during the drain: " + connection);
            figure("     interrupted by the cancel: "
                    + events.first("INTERRUPTED", "never-ends").isPresent() + "; 'still pending' lines: "
                    + server.linesContaining("still pending").size());

            assertTrue(stopMillis >= 14_900, "the drain waited for the deadline: " + stopMillis + " ms\n" + why);
            // The task never ends: an exit at all tells the drain's deadline from the task; 30 s past the deadline is
            // "soon after it" on any machine. How soon is printed in the figures.
            assertTrue(
                    stopMillis < 15_000 + 30_000,
                    "the JVM exits soon after the 15 s deadline, although the task " + "still runs: " + stopMillis
                            + " ms\n" + why);
            assertEquals("refused", connection, "a connection made while the drain waits is refused at once\n" + why);
            assertTrue(
                    server.firstLine(l -> l.contains("never-ends") && l.contains("still pending"))
                            .isPresent(),
                    "a line names the task: its label and 'still pending'\n" + why);
            assertEquals(List.of(), o.lost, "the other task finished\n" + why);
            assertEquals(List.of(), o.late, "... before the application stopped\n" + why);
            assertTrue(events.first("DESTROYED", "/app").isPresent(), "the stop went on\n" + why);
            assertAgentHygiene(server);
        }
    }

    // =====================================================================================  d. load

    /**
     * d. Continuous load from 4 client threads (loopback, bounded) sending {@code /work} while SIGTERM
     * arrives: every request that reached the application ({@code REQUEST}), whatever its answer, has its
     * {@code DONE} line, before the application stopped, and no request is answered 5xx. Requests that never
     * reach the application (connection errors once the connector is closed) are fine; every answer and
     * failure is counted.
     */
    @Test
    void continuousLoadDuringSigtermLosesNothingThatWasAccepted() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("load", true, List.of(), "app")) {
            LoadClients load = runLoadAcrossSigterm(server, 4, Duration.ofMillis(2500), 100);
            int exit = server.awaitExit(EXIT_TIMEOUT);
            load.finish();
            Events events = Events.of(server);
            List<String> requested = requested(events);
            Outcome o = Outcome.of(events, requested);
            long rejectedEvents = events.ofKind("REJECTED").size();
            figures("d. load across SIGTERM, agent", o, server, exit, started);
            figure(String.format(
                    "     load: requests %s; reached the application %d: finished %d, lost %d, late %d;"
                            + " REJECTED in the app %d",
                    load.statusCounts(), requested.size(), o.finished, o.lost.size(), o.late.size(), rejectedEvents));
            String why = "requests " + load.statusCounts() + "\n" + o.describe() + "\n" + events.describe() + "\n"
                    + server.describe();
            assertTrue(load.answered2xx().size() >= 100, "the load was real: at least 100 requests accepted\n" + why);
            assertAcceptedLoadDone(load, requested, o, why);
            assertAgentHygiene(server);
        }
    }

    /**
     * Chaos shutdown: {@link ChaosRounds} rounds, each a fresh server under continuous load from 4
     * clients, ended by a SIGTERM at a random instant (0.3 to 4 s into the load). In every round the task of every
     * request that reached the application must finish, before the application is destroyed, and no request may be
     * answered 5xx. On the containers the settings name (CI: this one on Tomcat 10.1); the {@code stress} profile
     * runs 50 rounds on every Tomcat.
     */
    @Test
    void chaosShutdownUnderLoadAtRandomInstantsLosesNothing() throws Exception {
        ChaosRounds chaos = ChaosRounds.forContainer(distributionId);
        chaos.run(this::figure, (round, instant) -> {
            try (TomcatServer server = start("chaos-" + round, true, List.of(), "app")) {
                LoadClients load = runLoadAcrossSigterm(server, 4, instant, 0);
                server.awaitExit(EXIT_TIMEOUT);
                load.finish();
                Events events = Events.of(server);
                List<String> requested = requested(events);
                Outcome o = Outcome.of(events, requested);
                figure(chaos.record(
                        round,
                        instant,
                        requested.size(),
                        o.finished,
                        o.lost.size(),
                        o.late.size(),
                        load,
                        server.millisFromStopToExit().orElse(-1)));
                String why = chaos.describe(round, "SIGTERM", instant) + "\n" + o.describe() + "\n" + events.describe()
                        + "\n" + server.describe();
                assertAcceptedLoadDone(load, requested, o, why);
                assertAgentHygiene(server);
                return requested.size();
            }
        });

        // The control: one round without the agent, SIGTERM 2 s into the load. The same checks must see losses.
        try (TomcatServer server = start("chaos-control", false, List.of(), "app")) {
            LoadClients load = runLoadAcrossSigterm(server, 4, Duration.ofSeconds(2), 0);
            server.awaitExit(EXIT_TIMEOUT);
            load.finish();
            Events events = Events.of(server);
            List<String> requested = requested(events);
            Outcome o = Outcome.of(events, requested);
            figure("chaos " + distributionId + " control without the agent: requests " + load.statusCounts()
                    + "; reached the application " + requested.size() + ", " + o.summary());
            assertTrue(
                    !o.lost.isEmpty() || !o.late.isEmpty(),
                    "without the agent the same round loses tasks or runs them "
                            + "after the application stopped; if not, the checks above prove nothing\n" + o.describe());
        }
    }

    /**
     * Keep-alive load across SIGTERM, with {@code -Dwaituntil.drain.timeout=20s}: 6 clients, each on a connection of
     * its own that it keeps across its requests ({@link KeepAliveConnection}), send {@code /work} every 40 ms or so;
     * SIGTERM comes 2.5 s into the load, once 50 requests were answered 2xx (a count, not assumed from the time:
     * bounded by 30 s), and the clients go on. Tomcat pauses its connectors before the drain: a
     * kept-alive connection is closed instead of reading its next request, which gets no answer; a new connection waits
     * in the listening socket's backlog until the connectors stop after the drain, and is closed unanswered too (the
     * figures say how long the longest waited). The stop must end within the drain timeout (with 15 s to spare for a
     * loaded machine), the task of every request that reached the application must be done before the application
     * stopped and none cancelled, and no request may be answered 5xx. Both fail where requests that come on
     * kept-alive connections during the stop are refused their work (5xx) or keep the drain busy to its deadline
     * (tasks cancelled). Run by the subclasses that CI runs it for.
     */
    protected void keepAliveLoadAcrossSigterm() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start(
                "keep-alive", true, List.of("-Dwaituntil.drain.timeout=" + KeepAliveConnection.DRAIN_TIMEOUT), "app")) {
            KeepAliveConnection.Stats connections = new KeepAliveConnection.Stats();
            LoadClients load = LoadClients.settings()
                    .clients(6)
                    .start(
                            KeepAliveConnection.perClient(
                                    URI.create(server.baseUrl()),
                                    connections,
                                    () -> server.stopWallMillis() > 0,
                                    (label, ms) -> "/app/work?label=" + label + "&ms=" + ms),
                            server::isAlive);
            Thread.sleep(2500);
            load.awaitAnswered2xx(KeepAliveConnection.LOAD_BEFORE, Duration.ofSeconds(30));
            load.stopping();
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            load.finish();
            long stopMillis = server.millisFromStopToExit().orElseThrow();
            Events events = Events.of(server);
            List<String> requested = requested(events);
            Outcome o = Outcome.of(events, requested);
            figures(
                    "keep-alive load across SIGTERM, drain.timeout=" + KeepAliveConnection.DRAIN_TIMEOUT + ", agent",
                    o,
                    server,
                    exit,
                    started);
            figure(String.format(
                    "     keep-alive load: requests %s; %s; reached the application %d: finished %d, lost %d,"
                            + " late %d; 'still pending' lines %d",
                    load.statusCounts(),
                    connections,
                    requested.size(),
                    o.finished,
                    o.lost.size(),
                    o.late.size(),
                    server.linesContaining("still pending").size()));
            String why = "requests " + load.statusCounts() + "\n" + connections + "\n" + o.describe() + "\n"
                    + events.describe() + "\n" + server.describe();
            KeepAliveConnection.assertKeptAliveAcrossABoundedStop(load, connections, stopMillis, why);
            assertAcceptedLoadDone(load, requested, o, why);
            assertEquals(List.of(), server.linesContaining("still pending"), "no task was left at a deadline\n" + why);
            assertEquals(
                    List.of(),
                    events.ofKind("INTERRUPTED").stream().map(Event::subject).collect(Collectors.toList()),
                    "no task was cancelled\n" + why);
            assertAgentHygiene(server);
        }
    }

    /**
     * Overload ({@link OverloadBurst}): one executor thread and a queue of 20, 320 requests at once, each
     * registering a task of 100 ms. Registrations beyond the queue get {@code RejectedTaskException} (the
     * application answers 503); none is dropped silently, and the server keeps answering meanwhile.
     */
    @Test
    void overloadRejectsBeyondTheQueueDropsNothingSilentlyAndKeepsAnswering() throws Exception {
        List<String> settings = OverloadBurst.SYSTEM_PROPERTIES.entrySet().stream()
                .map(e -> "-D" + e.getKey() + "=" + e.getValue())
                .collect(Collectors.toList());
        try (TomcatServer server = start("overload", true, settings, "app")) {
            OverloadBurst burst =
                    OverloadBurst.send(path -> server.get("/app" + path).status());
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            burst.assertNothingDroppedSilently(
                    tomcat.toString(),
                    l -> events.first("DONE", l).isPresent(),
                    l -> events.first("REJECTED", l).isPresent(),
                    server.linesContaining("the executor's queue is full").size(),
                    events.describe() + "\n" + server.describe());
        }
    }

    // =====================================================================================  f. standalone mode in a
    // WAR

    /** How many tasks the standalone-mode runs leave pending at the stop. */
    private static final int STANDALONE_TASKS = 20;
    /** The line the API logs when its initializer's listener drained the application (docs/api.md, "Without the agent"). */
    private static final String DRAINED_AT_TEARDOWN = "wait-until: drained application /app at its teardown";

    /**
     * f. Without the agent, {@code catalina.sh stop}: Tomcat stops every application, its loader with it, and
     * only then does the JVM exit and run the API's shutdown hook. The API's {@code ServletContainerInitializer}
     * has registered a listener whose {@code contextDestroyed} drains the application's 20 tasks there, before
     * the application's own listener and while its classes still load: all finish before {@code DESTROYED},
     * one line says so, and nothing fails on the stopped loader ("Illegal access", {@code NoClassDefFoundError}).
     */
    @Test
    void withoutTheAgentCatalinaShStopDrainsTheStandaloneTasksAtTheApplicationsTeardown() throws Exception {
        standaloneModeInAWar("standalone-catalina-stop", false);
    }

    /** f. The same through SIGTERM, where the API's shutdown hook runs beside Catalina's stop. */
    @Test
    void withoutTheAgentSigtermDrainsTheStandaloneTasksAtTheApplicationsTeardown() throws Exception {
        standaloneModeInAWar("standalone-sigterm", true);
    }

    private void standaloneModeInAWar(String test, boolean sigterm) throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start(test, false, List.of(), "app")) {
            List<String> labels = new ArrayList<>();
            for (int i = 1; i <= STANDALONE_TASKS; i++) {
                String label = "standalone-" + i;
                server.ok("/app/work?label=" + label + "&ms=" + (1500 + (i * 523) % 1501));
                labels.add(label);
            }
            String stopOutput = "";
            if (sigterm) {
                server.sigterm();
            } else {
                stopOutput = server.catalinaShStop();
            }
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Outcome o = Outcome.beforeContextDestroyed(events, labels, "/app");
            figures(
                    "f. standalone mode (no agent), " + (sigterm ? "SIGTERM" : "catalina.sh stop"),
                    o,
                    server,
                    exit,
                    started);
            String why = o.describe() + (sigterm ? "" : "\ncatalina.sh stop said:\n" + stopOutput) + "\n"
                    + events.describe() + "\n" + server.describe();

            assertAllPendingAtTheStop(o, new Load(labels, labels, List.of()), server, why);
            assertTrue(server.firstLine(l -> l.contains(NOT_ATTACHED)).isPresent(), "standalone mode\n" + why);
            assertEquals(List.of(), o.lost, "every task finished (none lost)\n" + why);
            assertEquals(List.of(), o.late, "... before the application's own contextDestroyed\n" + why);
            assertTrue(events.first("DESTROYED", "/app").isPresent(), "the application was destroyed\n" + why);
            List<String> drained = server.linesContaining(DRAINED_AT_TEARDOWN);
            assertEquals(1, drained.size(), "one line says that the application was drained at its teardown\n" + why);
            assertTrue(
                    drained.get(0).contains(STANDALONE_TASKS + " task(s) pending, all finished in "), drained.get(0));
            assertEquals(List.of(), server.linesContaining("NoClassDefFoundError"), "no class-loading error\n" + why);
            assertEquals(
                    List.of(),
                    server.linesContaining("Illegal access"),
                    "nothing loaded from the stopped application\n" + why);
            assertEquals(
                    List.of(),
                    server.linesContaining("still pending"),
                    "nothing left for the JVM shutdown hook\n" + why);
            assertEquals(
                    List.of(),
                    server.linesContaining("shutdown hook stopped draining"),
                    "the hook did not fail\n" + why);
            if (!sigterm) {
                assertEquals(0, exit, "a stop through the shutdown port ends with exit code 0\n" + why);
            }
        }
    }

    // =====================================================================================  scenario

    /** What a scenario sent: the task labels, and the requests still in flight. */
    private record Load(
            List<String> labels,
            List<String> taskLabels,
            List<CompletableFuture<TomcatServer.Response>> slowRequests) {}

    /**
     * {@value #TASKS} tasks of 1.5-3 s spread over {@code apps}, then one {@code /slow} request per
     * application (2-2.5 s inside the request, then a 1 s task), and waits until every slow request is
     * inside its servlet: the moment to stop.
     */
    private Load pendingTasksAndSlowRequests(TomcatServer server, String... apps) throws Exception {
        List<String> labels = new ArrayList<>();
        for (int i = 1; i <= TASKS; i++) {
            String app = apps[i % apps.length];
            String label = "task-" + i + "-" + app;
            server.ok("/" + app + "/work?label=" + label + "&ms=" + (1500 + (i * 523) % 1501));
            labels.add(label);
        }
        List<String> taskLabels = List.copyOf(labels);
        List<CompletableFuture<TomcatServer.Response>> slow = new ArrayList<>();
        for (int i = 0; i < apps.length; i++) {
            String label = "slow-" + (i + 1) + "-" + apps[i];
            slow.add(server.getAsync(
                    "/" + apps[i] + "/slow?label=" + label + "&ms=" + (2000 + 500 * i) + "&taskMs=1000"));
            labels.add(label);
        }
        for (int i = 0; i < apps.length; i++) {
            Events.await(server, "SLOW-IN", "slow-" + (i + 1) + "-" + apps[i], EVENT_TIMEOUT);
        }
        return new Load(labels, taskLabels, slow);
    }

    /** Precondition: the plain tasks were all still pending when the stop was sent (none was DONE before). */
    private static void assertAllPendingAtTheStop(Outcome o, Load load, TomcatServer server, String why) {
        long stop = server.stopWallMillis();
        List<String> doneBefore = load.taskLabels.stream()
                .filter(l -> o.done.containsKey(l) && o.done.get(l).millis() < stop)
                .collect(Collectors.toList());
        assertEquals(
                List.of(),
                doneBefore,
                "precondition: all " + load.taskLabels.size() + " tasks pending at the stop\n" + why);
    }

    // =====================================================================================  load clients

    /**
     * {@code clients} {@link LoadClients} sending {@code /app/work?label=load-<c>-<n>&ms=100..1000} with 20 ms between
     * requests (about as many tasks a second as 64 executor threads finish, so the drain has a backlog of a second or
     * two while the clients go on), through the server's one HTTP client, whose pooled connections are kept alive;
     * after {@code before}, and once {@code min2xx} requests were answered 2xx (a count, not assumed from the time:
     * bounded by 30 s), the server gets SIGTERM. Returns at once after the signal.
     */
    private LoadClients runLoadAcrossSigterm(TomcatServer server, int clients, Duration before, int min2xx)
            throws Exception {
        LoadClients load = LoadClients.settings()
                .clients(clients)
                .pause(Duration.ofMillis(20))
                .taskMillis(100, 1000)
                .start(
                        c -> (label, ms) -> {
                            TomcatServer.Response r = server.get("/app" + LoadClients.work(label, ms));
                            return new LoadClients.Answer(r.status(), r.body());
                        },
                        server::isAlive);
        Thread.sleep(before.toMillis());
        load.awaitAnswered2xx(min2xx, Duration.ofSeconds(30));
        load.stopping();
        server.sigterm();
        return load;
    }

    /** The load's tasks that the application owes: every one whose request reached it. */
    private static List<String> requested(Events events) {
        return events.ofKind("REQUEST").stream()
                .map(Event::subject)
                .filter(l -> l.startsWith("load-"))
                .collect(Collectors.toList());
    }

    /**
     * With the agent, a load across a stop leaves every request the application saw with its task done before the
     * application stopped, and no user with a 5xx, which the same load without the agent does not get either (the
     * control prints its statuses).
     */
    private static void assertAcceptedLoadDone(LoadClients load, List<String> requested, Outcome o, String why) {
        assertEquals(
                List.of(),
                load.answeredButNotRecorded(requested),
                "every request answered 2xx was recorded by the application\n" + why);
        assertEquals(List.of(), o.lost, "the task of every request the application saw finished\n" + why);
        assertEquals(List.of(), o.late, "... before the application stopped\n" + why);
        assertEquals(Map.of(), load.answered5xx(), "no request was answered 5xx\n" + why);
    }

    // =====================================================================================  helpers

    /**
     * A fresh base with the WAR deployed as each of {@code apps}, the events file under it, and
     * {@code -javaagent:<agent jar>=debug=true} when {@code agent}; waits until every application
     * answers.
     */
    private TomcatServer start(String test, boolean agent, List<String> options, String... apps) throws Exception {
        TomcatDistribution.Base base = tomcat.newBase(dir.resolve(test + (agent ? "-agent" : "-no-agent")));
        for (String app : apps) {
            base.deploy(war, app);
        }
        List<String> opts = new ArrayList<>();
        if (agent) {
            opts.add("-javaagent:" + ItEnvironment.agentJar() + "=debug=true");
        }
        opts.addAll(JVM_OPTIONS);
        opts.add("-D" + TomcatTestWar.EVENTS_PROPERTY + "=" + base.dir().resolve("events.log"));
        opts.addAll(options);
        TomcatServer server = TomcatServer.start(
                tomcat + " " + test + (agent ? " with the agent" : " without the agent"), tomcat, base, opts);
        try {
            for (String app : apps) {
                server.awaitAnswer("/" + app + "/ping", APP_TIMEOUT);
            }
            return server;
        } catch (Throwable e) {
            server.close();
            throw e;
        }
    }

    /**
     * The drain shows in the log ("wait-until: drain..." with {@code debug=true}) before Tomcat stops its
     * connectors ("Stopping ProtocolHandler").
     */
    private static void assertDrainLoggedBeforeTheConnectorsStop(TomcatServer server, String why) {
        List<String> lines = server.texts();
        int drain = server.indexOfLineContaining("wait-until: drain");
        int finished = -1;
        for (int i = 0; i < lines.size() && finished < 0; i++) {
            if (lines.get(i).contains("wait-until: drain of ") && lines.get(i).contains("all tasks finished")) {
                finished = i;
            }
        }
        int connectorsStop = server.indexOfLineContaining("Stopping ProtocolHandler");
        assertTrue(drain >= 0, "the drain is logged\n" + why);
        assertTrue(finished >= 0, "a drain reports 'all tasks finished'\n" + why);
        assertTrue(connectorsStop >= 0, "Tomcat logged the stop of its connectors\n" + why);
        assertTrue(
                drain < connectorsStop && finished < connectorsStop,
                "the drain begins and ends before the connectors" + " stop (lines " + drain + ", " + finished + " vs "
                        + connectorsStop + ")\n" + why);
    }

    /** e. The agent started once; no API copy fell back to standalone; Tomcat warned of no thread. */
    private void assertAgentHygiene(TomcatServer server) {
        String out = server.describe();
        assertEquals(1, server.linesContaining(agentStarted).size(), "the agent started once\n" + out);
        assertEquals(List.of(), server.linesContaining(NOT_ATTACHED), "no API copy in standalone mode\n" + out);
        assertEquals(
                List.of(),
                server.linesContaining(THREAD_WARNING),
                "no 'appears to have started a thread' warning with the agent\n" + out);
        // Every stop path ends with the JVM's exit, where the agent's shutdown hook runs beside Tomcat's own stop:
        // the two must not both pause and close the same connectors (Tomcat's acceptor then logs its failure).
        assertEquals(List.of(), server.linesContaining(" SEVERE ["), "Tomcat logged no error\n" + out);
    }

    private void figures(String what, Outcome o, TomcatServer server, int exit, long startedNanos) {
        figure(String.format(
                "[%s] %s: %s; stop -> exit %s ms (exit code %d); '%s' warnings %d; test %,d ms",
                tomcat,
                what,
                o.summary(),
                server.stopToExitText(),
                exit,
                THREAD_WARNING,
                server.linesContaining(THREAD_WARNING).size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)));
    }

    private void figure(String line) {
        Figures.record(dir, line);
    }
}
