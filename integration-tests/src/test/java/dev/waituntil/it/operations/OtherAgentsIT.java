package dev.waituntil.it.operations;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.OtherAgent;
import dev.waituntil.it.support.ProgramAssertions;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import dev.waituntil.it.support.TomcatTestWar;
import dev.waituntil.it.support.TomcatTestWar.Events;
import dev.waituntil.it.support.TomcatTestWar.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ours beside another vendor's Java agent, as production services run them: the OpenTelemetry Java agent, the
 * Elastic APM agent and Datadog's dd-java-agent, each listed before ours and after it, and with ours attached to the
 * running server (the servlets, already transformed by theirs, are retransformed), on the standalone Tomcat 10.1
 * distribution. Each run starts a server of its own with both {@code -javaagent}s and the test WAR with a servlet
 * that has its own {@code service()} and a filter ({@link TomcatTestWar#buildWithOwnServiceAndFilter}), and checks:
 * <ul>
 * <li>ours logs no warning or error, and started once;
 * <li>request scope where only the advice on the application's own class can open it: a task registered in the
 *     servlet's own {@code service()} and one registered in the filter each belong to their request (the agent's
 *     debug line names it), as does one registered through {@code HttpServlet};
 * <li>SIGTERM with those tasks pending: every one finishes before the application is torn down;
 * <li>theirs keeps working: it started, reported the server span of a request, and logged no error.
 * </ul>
 * The OpenTelemetry agent listed first is where ours used to fail: it makes servlets, filters and many container
 * classes implement an interface that it generates at run time, with no class file.
 *
 * <p>Figures are printed and appended to {@code target/it-work/other-agents/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtherAgentsIT {

    /** Which {@code -javaagent} comes first on the command line, or ours attached to the running server. */
    enum Order {
        THEIRS_FIRST("theirs first"),
        OURS_FIRST("ours first"),
        OURS_ATTACHED("ours attached later");

        private final String text;

        Order(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private static final int TASKS_PER_KIND = 3;
    /**
     * Long enough that every task is still pending when SIGTERM follows their registration on a loaded machine: a
     * precondition, checked, so that the drain has something to wait for.
     */
    private static final int TASK_MILLIS = 4000;

    private static final Duration APP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SPAN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwaituntil.executor.threads=16");

    private TomcatDistribution tomcat;
    private Path dir;
    private Path war;
    private String agentStarted;

    @BeforeAll
    void buildTheWar() throws Exception {
        tomcat = TomcatDistribution.of("tomcat10");
        dir = ItEnvironment.freshWorkDir("other-agents");
        war = TomcatTestWar.buildWithOwnServiceAndFilter(tomcat, dir.resolve("war"));
        agentStarted = ItEnvironment.agentStartedLine();
    }

    static Stream<Arguments> runs() {
        return Stream.of(OtherAgent.values())
                .flatMap(agent -> Stream.of(Order.values()).map(order -> Arguments.of(agent, order)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("runs")
    void requestScopeAndTheDrainHoldAndTheOtherAgentKeepsWorking(OtherAgent other, Order order) throws Exception {
        long started = System.nanoTime();
        String run = other.id() + "-"
                + order.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        try (OtherAgent.Beside beside = other.prepare();
                TomcatServer server = start(run, other, beside, order)) {
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            // Theirs works: a server span for a request to the servlet with its own service().
            server.ok("/app/own-service?label=probe&ms=0");
            String span = beside.awaitServerSpan(server, "/app/own-service", SPAN_TIMEOUT);

            // Tasks from the servlet's own service(), from the filter, and through HttpServlet.service (doGet).
            Map<String, String> requestOf = new LinkedHashMap<>();
            for (int i = 1; i <= TASKS_PER_KIND; i++) {
                int ms = TASK_MILLIS + 250 * i;
                server.ok("/app/own-service?label=own-" + i + "&ms=" + ms);
                requestOf.put("own-" + i, "GET /app/own-service");
                server.ok("/app/ping?filterLabel=filter-" + i + "&ms=" + ms);
                requestOf.put("filter-" + i, "GET /app/ping");
                server.ok("/app/work?label=work-" + i + "&ms=" + ms);
                requestOf.put("work-" + i, "GET /app/work");
            }
            List<String> unattributed = new ArrayList<>();
            for (Map.Entry<String, String> task : requestOf.entrySet()) {
                String registered = server.awaitLine(
                                l -> l.contains("wait-until: registered '" + task.getKey() + "' ("), LOG_TIMEOUT)
                        .text();
                if (!registered.contains(", request " + task.getValue() + " (request ")) {
                    unattributed.add(registered);
                }
            }
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);

            List<String> output = server.texts();
            Events events = Events.read(server.base().dir().resolve("events.log"));
            Outcome o = Outcome.of(events, requestOf.keySet());
            long stop = server.stopWallMillis();
            List<String> doneBeforeTheStop = o.done.entrySet().stream()
                    .filter(e -> e.getValue().millis() < stop)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toList());
            List<String> oursWarned = output.stream()
                    .filter(ProgramAssertions::isOursAtWarningOrWorse)
                    .collect(Collectors.toList());
            List<String> theirErrors = other.linesAtLevel(output, "ERROR");
            List<String> throughOurCode = output.stream()
                    .filter(l -> l.trim().startsWith("at dev.waituntil."))
                    .collect(Collectors.toList());
            figure(String.format(
                    "[%s] %s %s, %s: start %,d ms; request scope %d of %d tasks; SIGTERM with %d pending: "
                            + "%s; stop -> exit %s ms (exit code %d); warnings of ours %d; errors of theirs %d "
                            + "(warnings %d); their span: %s; run %,d ms",
                    tomcat,
                    other,
                    other.version(),
                    order,
                    startMillis,
                    requestOf.size() - unattributed.size(),
                    requestOf.size(),
                    requestOf.size() - doneBeforeTheStop.size(),
                    o.summary(),
                    server.stopToExitText(),
                    exit,
                    oursWarned.size(),
                    theirErrors.size(),
                    other.linesAtLevel(output, "WARN").size(),
                    abridged(span),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
            String why = o.describe() + "\n" + events.describe() + "\n" + server.describe();

            assertEquals(List.of(), oursWarned, "wait-until logs no warning or error beside " + other + "\n" + why);
            assertEquals(1, server.linesContaining(agentStarted).size(), "ours started once\n" + why);
            assertEquals(List.of(), server.linesContaining(NOT_ATTACHED), "no API copy in standalone mode\n" + why);
            assertEquals(
                    List.of(),
                    unattributed,
                    "every task belongs to the request that registered it: the servlet's "
                            + "own service(), the filter, HttpServlet\n" + why);
            assertEquals(List.of(), doneBeforeTheStop, "precondition: every task still pending at SIGTERM\n" + why);
            assertEquals(List.of(), o.lost, "every task finished\n" + why);
            assertEquals(List.of(), o.late, "... before the application was torn down\n" + why);
            assertTrue(events.first("DESTROYED", "/app").isPresent(), "the stop went on: /app was destroyed\n" + why);
            assertTrue(other.startedLine(output).isPresent(), other + " started (its start-up line)\n" + why);
            assertEquals(List.of(), theirErrors, other + " logged no error\n" + why);
            assertEquals(List.of(), throughOurCode, "no stack trace passes through our code\n" + why);
        }
    }

    /**
     * A fresh base with the WAR as {@code /app}, both agents in {@code order}, ours with {@code debug=true} (its
     * "registered" lines name each task's request); waits until {@code /app} answers. Attached later: theirs alone
     * at start; the servlets are loaded by a request that does not touch the API (which would otherwise go
     * standalone, and warn), then the attach command loads ours and retransforms them.
     */
    private TomcatServer start(String run, OtherAgent other, OtherAgent.Beside beside, Order order) throws Exception {
        TomcatDistribution.Base base = tomcat.newBase(dir.resolve(run));
        base.deploy(war, "app");
        String ours = "-javaagent:" + ItEnvironment.agentJar() + "=debug=true";
        List<String> opts = new ArrayList<>(
                switch (order) {
                    case THEIRS_FIRST -> List.of(beside.javaagent(), ours);
                    case OURS_FIRST -> List.of(ours, beside.javaagent());
                    case OURS_ATTACHED -> List.of(beside.javaagent(), "-XX:+EnableDynamicAgentLoading");
                });
        opts.addAll(JVM_OPTIONS);
        opts.add("-D" + TomcatTestWar.EVENTS_PROPERTY + "=" + base.dir().resolve("events.log"));
        opts.addAll(beside.options());
        TomcatServer server = TomcatServer.start(tomcat + " beside " + other + ", " + order, tomcat, base, opts);
        try {
            server.awaitAnswer("/app/ping", APP_TIMEOUT);
            if (order == Order.OURS_ATTACHED) {
                server.ok("/app/own-service");
                try (JavaProcess attach = JavaProcess.builder("attach command")
                        .executableJar(ItEnvironment.agentJar(), String.valueOf(server.pid()), "debug=true")
                        .start()) {
                    assertEquals(
                            0,
                            attach.waitFor(APP_TIMEOUT),
                            "the attach command succeeds\n" + attach.describe() + "\n" + server.describe());
                }
                server.awaitLine(l -> l.contains(agentStarted + " by dynamic attach"), LOG_TIMEOUT);
            }
            return server;
        } catch (Throwable e) {
            server.close();
            throw e;
        }
    }

    private static String abridged(String line) {
        return line.length() <= 160 ? line : line.substring(0, 160) + "...";
    }

    private void figure(String line) {
        Figures.record(dir, line);
    }
}
