package dev.waituntil.it.embedded;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ChaosRounds;
import dev.waituntil.it.support.EmbeddedHost;
import dev.waituntil.it.support.EmbeddedHost.Program;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.HttpClients;
import dev.waituntil.it.support.HttpGet;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JettyTestWebApp.Record;
import dev.waituntil.it.support.LoadClients;
import dev.waituntil.it.support.MisbehavingTasks;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Drain on a servlet container embedded as a library ({@link EmbeddedHost}): a program of its own, in a JVM of
 * its own, with {@code -javaagent}, that deploys an application at {@code /app} whose servlet registers tasks
 * ({@code WaitUntil.run} of a sleep that records {@code DONE <label> <millis>}) and whose
 * {@code ServletContextListener} records {@code DESTROYED /app <millis>} (the record file of
 * {@link dev.waituntil.it.support.JettyTestWebApp}: one appending write per line, so its order is the order of
 * events). Every run: 24 tasks of 0.58 to 1.5 s (the longest registered first, so that all are still pending
 * when the stop begins), then one request still in flight at the stop ({@code /slow}: it sleeps 1 s in the
 * request, then registers a task of 1 s), then the stop.
 *
 * <p>Here, for every host:
 * <ul>
 * <li>(a) The program calls {@code stop()} itself (when the file {@code <scratch>/stop} appears): every task,
 *     the in-flight request's included, is done before the servlet is destroyed and before
 *     {@code contextDestroyed}, and before the container closes its connector (Tomcat's "Stopping
 *     ProtocolHandler", Jetty's "Stopped ...ServerConnector"); the in-flight request is answered; the agent
 *     logs its drain for the server's stop ({@code "Tomcat's engine stop"} or {@code "Jetty's server stop"}),
 *     all tasks finished; {@code stop()} returns after the last task, and the JVM exits 0. No "appears to have
 *     started a thread" warning from Tomcat, no "Illegal access" to a stopped application.
 * <li>(d) The same without the agent (the control): the API's standalone mode cannot order its shutdown-hook
 *     drain against {@code stop()}, so tasks are done after {@code contextDestroyed}, or lost, or cancelled.
 *     The test fails if nothing goes wrong, so it can tell a drain from none.
 * </ul>
 * The SIGTERM cases are in {@link EmbeddedTomcatDrainTests} and {@link EmbeddedJettyDrainTests}. Each prints its
 * figures ({@code [figures] ...}). Every wait is bounded and every JVM is killed at the end of its test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
abstract class EmbeddedDrainTests {

    static final int TASKS = 24;
    static final String IN_FLIGHT = "inflight";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** More worker threads than tasks, with and without the agent: the tests are about when tasks run. */
    private static final String EXECUTOR_THREADS = "32";

    /** How the stop comes. */
    enum Stop {
        /** The program calls the server's {@code stop()}. */
        PROGRAM,
        /** SIGTERM ({@code ProcessHandle.destroy}). */
        SIGTERM
    }

    protected final EmbeddedHost host;
    private Path dir;
    private Program program;

    protected EmbeddedDrainTests(EmbeddedHost host) {
        this.host = host;
    }

    @BeforeAll
    void compileTheProgramOnce() throws Exception {
        dir = ItEnvironment.freshWorkDir("embedded-drain/" + host.id());
        program = host.compile(dir);
    }

    // ---- the tests ---------------------------------------------------------------------------------------

    @Test
    void stopCalledByTheProgramDrainsEveryTaskAndTheRequestInFlightBeforeTheApplicationIsDestroyed() throws Exception {
        Run run = run("stop-agent", true, false, Stop.PROGRAM);
        assertEquals(0, run.exitCode, "the program returned from main after stop() and the JVM exited\n" + run.out());
        assertDrainedByTheServerStop(run);
        int stopEnd = run.record.indexOf("STOP-END", "launcher");
        assertTrue(stopEnd > run.lastDoneIndex(), "stop() returned only after the last task was done\n" + run.out());
    }

    @Test
    void withoutTheAgentTheSameStopRunsTasksAfterTheApplicationIsDestroyedOrLosesThem() throws Exception {
        Run run = run("stop-control", false, false, Stop.PROGRAM);
        String out = run.out();
        assertTrue(
                run.process.firstLineContaining(NOT_ATTACHED).isPresent(),
                "the API ran in its standalone mode\n" + out);
        assertFalse(run.process.firstLineContaining("wait-until: drain of").isPresent(), "no agent drain\n" + out);
        assertTrue(run.record.has("DESTROYED", EmbeddedHost.APP), "contextDestroyed was called by stop()\n" + out);
        assertTrue(
                run.lost().size() + run.late().size() + run.interrupted().size() > 0,
                "without the agent no task was lost, cancelled or done after contextDestroyed: this test could not "
                        + "tell the agent's drain from none\n" + out);
    }

    /**
     * Chaos: {@link ChaosRounds} rounds (none in CI; the {@code stress} profile runs 50 on every embedded
     * server), each a fresh program under continuous load from 4 clients ({@link LoadClients}), stopped at a random
     * instant 0.3 to 4 s into the load, in a way picked at random among those this host has: the program's
     * {@code stop()}, SIGTERM, and for Jetty SIGTERM with {@code stopAtShutdown} on and off. The task of every request
     * that reached the application must finish, none after the application's teardown, none cancelled, and no
     * request may be answered 5xx. The control, without the agent, stopped by the program 2 s into the load, must lose
     * tasks or finish some late; it prints what its clients saw.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // 50 rounds under the stress profile; each round is bounded
    void chaosStopUnderLoadAtRandomInstantsLosesNothing() throws Exception {
        ChaosRounds chaos = ChaosRounds.forContainer("embedded-" + host.id());
        List<String> ways =
                host.isJetty() ? List.of("stop()", "SIGTERM, stopAtShutdown", "SIGTERM") : List.of("stop()", "SIGTERM");
        chaos.run(Figures::print, (round, instant) -> {
            String way = chaos.pick(ways);
            Stop stop = way.equals("stop()") ? Stop.PROGRAM : Stop.SIGTERM;
            Run run = loadRun(
                    "chaos-" + round,
                    true,
                    way.contains("stopAtShutdown"),
                    stop,
                    Map.of(),
                    BeforeTheStop.waitFor(instant));
            Figures.print(chaos.record(
                    round,
                    way,
                    instant,
                    run.labels.size(),
                    run.labels.size() - run.lost().size(),
                    run.lost().size(),
                    run.late().size(),
                    run.load,
                    run.exitMillis()));
            String out = chaos.describe(round, way, instant) + "\n" + run.out();
            assertNone(
                    "requests answered 2xx that the application did not record",
                    run.load.answeredButNotRecorded(run.labels),
                    out);
            assertNone("tasks of requests the application saw, lost", run.lost(), out);
            assertNone("tasks of requests the application saw, done after the application's teardown", run.late(), out);
            assertNone("tasks cancelled", run.interrupted(), out);
            assertEquals(
                    Map.of(),
                    run.load.answered5xx(),
                    "no request was answered 5xx: " + run.load.statusCounts() + "\n" + out);
            return run.labels.size();
        });

        Run control = loadRun(
                "chaos-control", false, false, Stop.PROGRAM, Map.of(), BeforeTheStop.waitFor(Duration.ofSeconds(2)));
        Figures.print("chaos embedded-" + host.id() + " control without the agent: requests "
                + control.load.statusCounts() + "; tasks of requests the application saw " + control.labels.size()
                + ", lost " + control.lost().size() + ", late " + control.late().size() + ", cancelled "
                + control.interrupted().size());
        assertTrue(
                control.lost().size()
                                + control.late().size()
                                + control.interrupted().size()
                        > 0,
                "without the agent the same round loses tasks or finishes them after the teardown; if not, the checks "
                        + "above prove nothing\n" + control.out());
    }

    /**
     * Misbehaving tasks inside the server under load ({@link MisbehavingTasks}), stopped by the program's
     * {@code stop()}: the server's own stop path, with the drain timeout at 5 s.
     */
    @Test
    void misbehavingTasksUnderLoadHoldTheStopToTheDeadlineAndNothingElseIsLost() throws Exception {
        Run run = loadRun(
                "misbehaving",
                true,
                false,
                Stop.PROGRAM,
                Map.of("waituntil.drain.timeout", MisbehavingTasks.DRAIN_TIMEOUT),
                (app, load) -> {
                    Thread.sleep(1000);
                    load.awaitAnswered2xx(MisbehavingTasks.LOAD_BEFORE, MisbehavingTasks.LOAD_WAIT);
                    MisbehavingTasks.register(app);
                    Thread.sleep(300);
                });
        MisbehavingTasks.assertOutcome(
                host + ", stop()", run.record, run.process, run.load, run.exitMillis(), EmbeddedHost.APP);
    }

    // ---- what the subclasses check ------------------------------------------------------------------------

    /**
     * The server's own stop drained: contextDestroyed and the servlet's destroy() came, every task was done before
     * both, none was cancelled, the request in flight was answered, and the agent logged the drain for the
     * server's stop with all tasks finished.
     */
    void assertDrainedByTheServerStop(Run run) {
        String out = run.out();
        assertTrue(run.record.has("DESTROYED", EmbeddedHost.APP), "contextDestroyed was called\n" + out);
        assertTrue(run.record.has("SERVLET-DESTROYED", EmbeddedHost.APP), "the servlet was destroyed\n" + out);
        assertNone("tasks lost (no DONE line)", run.lost(), out);
        assertNone("tasks done only after the servlet's destroy() or contextDestroyed", run.late(), out);
        assertNone("tasks cancelled", run.interrupted(), out);
        assertEquals("200 accepted " + IN_FLIGHT, run.inFlightAnswer, "the request in flight was answered\n" + out);
        assertDrainLine(run, host.serverStopTrigger());
        assertTrue(run.pendingAtStop() > 0, "tasks were pending when the stop began\n" + out);
        assertLastTaskBeforeTheConnectorClosed(run);
        assertNoTeardownComplaints(run);
    }

    /**
     * In the output (standard output and standard error through one pipe, in the order written), every task's
     * {@code RECORD DONE} line comes before the container's line for closing its connector.
     */
    private void assertLastTaskBeforeTheConnectorClosed(Run run) {
        List<String> lines = run.process.texts();
        int lastDone = -1;
        int closed = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("RECORD DONE ")) {
                lastDone = i;
            }
            boolean closing = host.isJetty()
                    ? l.contains("Stopped") && l.contains("ServerConnector")
                    : l.contains("Stopping ProtocolHandler");
            if (closed < 0 && closing) {
                closed = i;
            }
        }
        assertTrue(closed >= 0, host + " logged that it closed its connector\n" + run.out());
        assertTrue(
                lastDone >= 0 && lastDone < closed,
                "the last task was done (output line " + lastDone + ") before the connector closed (output line "
                        + closed + ")\n" + run.out());
    }

    /** Nothing that a drain in the right place prevents: Tomcat's thread-leak warning, access to a stopped loader. */
    private static void assertNoTeardownComplaints(Run run) {
        assertEquals(List.of(), run.process.linesContaining("appears to have started a thread"), run.out());
        assertEquals(List.of(), run.process.linesContaining("Illegal access"), run.out());
    }

    /**
     * Nothing stopped the server (or nothing before the JVM's exit): the agent's JVM shutdown hook drained, so
     * every task, the in-flight request's included, was done before the JVM exited, none was cancelled, and the
     * request in flight was answered. If the application was destroyed after all, no task came after that.
     */
    void assertDrainedByTheJvmShutdownHook(Run run) {
        String out = run.out();
        assertEquals(143, run.exitCode, "exit code of SIGTERM\n" + out);
        assertNone("tasks lost (no DONE line before the JVM exited)", run.lost(), out);
        assertNone("tasks cancelled", run.interrupted(), out);
        assertNone("tasks done only after the servlet's destroy() or contextDestroyed", run.late(), out);
        assertEquals("200 accepted " + IN_FLIGHT, run.inFlightAnswer, "the request in flight was answered\n" + out);
        assertDrainLine(run, "the JVM shutdown hook");
        assertTrue(run.pendingAtStop() > 0, "tasks were pending at SIGTERM\n" + out);
        assertNoTeardownComplaints(run);
    }

    private static void assertDrainLine(Run run, String trigger) {
        List<String> lines = run.process.linesContaining("wait-until: drain of ").stream()
                .filter(l -> l.contains(" for " + trigger + ": "))
                .collect(Collectors.toList());
        assertFalse(lines.isEmpty(), "the agent logged its drain for " + trigger + "\n" + run.out());
        assertTrue(
                lines.stream().allMatch(l -> l.contains("all tasks finished")),
                "the drain for " + trigger + " finished all tasks: " + lines + "\n" + run.out());
    }

    private static void assertNone(String what, List<String> labels, String out) {
        assertTrue(labels.isEmpty(), what + ": " + labels + "\n" + out);
    }

    // ---- one run -------------------------------------------------------------------------------------------

    /** What one run left: the process (exited, its output kept), the record file, the in-flight answer. */
    static final class Run {
        final String name;
        final JavaProcess process;
        final Record record;
        final List<String> labels;
        final long stopWallMillis;
        final int exitCode;
        final String inFlightAnswer;
        /** What the load's clients saw (null for the runs without load). */
        LoadClients load;

        Run(
                String name,
                JavaProcess process,
                Record record,
                List<String> labels,
                long stopWallMillis,
                int exitCode,
                String inFlightAnswer) {
            this.name = name;
            this.process = process;
            this.record = record;
            this.labels = labels;
            this.stopWallMillis = stopWallMillis;
            this.exitCode = exitCode;
            this.inFlightAnswer = inFlightAnswer;
        }

        long exitMillis() {
            return process.exitWallMillis().orElse(stopWallMillis) - stopWallMillis;
        }

        List<String> lost() {
            return labels.stream().filter(l -> !record.has("DONE", l)).collect(Collectors.toList());
        }

        List<String> interrupted() {
            return labels.stream().filter(l -> record.has("INTERRUPTED", l)).collect(Collectors.toList());
        }

        /** Done after the servlet's destroy() or contextDestroyed, whichever came first. */
        List<String> late() {
            int teardown = record.teardownIndex(EmbeddedHost.APP);
            return teardown < 0
                    ? List.of()
                    : labels.stream()
                            .filter(l -> record.indexOf("DONE", l) > teardown)
                            .collect(Collectors.toList());
        }

        int lastDoneIndex() {
            return labels.stream()
                    .mapToInt(l -> record.indexOf("DONE", l))
                    .max()
                    .orElse(-1);
        }

        /** Tasks not yet done when the stop began (those of requests still to come included). */
        long pendingAtStop() {
            return labels.stream()
                    .filter(l -> {
                        long done = record.millisOf("DONE", l);
                        return done < 0 || done > stopWallMillis;
                    })
                    .count();
        }

        long sinceStop(String event, String subject) {
            long at = record.millisOf(event, subject);
            return at < 0 ? -1 : at - stopWallMillis;
        }

        String figures() {
            long lastDone = labels.stream()
                    .mapToLong(l -> record.millisOf("DONE", l))
                    .max()
                    .orElse(-1);
            List<String> drains = process.linesContaining("wait-until: drain of ").stream()
                    .map(l -> l.substring(l.indexOf("drain of ")))
                    .collect(Collectors.toList());
            return name + ": " + labels.size() + " tasks (" + TASKS + " + 1 from the request in flight), "
                    + pendingAtStop() + " pending at the stop; done " + (labels.size() - lost().size())
                    + ", lost " + lost().size() + ", after teardown " + late().size() + ", cancelled "
                    + interrupted().size() + "; from the stop: last DONE "
                    + (lastDone < 0 ? -1 : lastDone - stopWallMillis)
                    + " ms, contextDestroyed " + sinceStop("DESTROYED", EmbeddedHost.APP) + " ms, exit "
                    + (process.exitWallMillis().orElse(stopWallMillis) - stopWallMillis) + " ms (code " + exitCode
                    + "); in-flight answer " + inFlightAnswer + "; 'Illegal access' lines "
                    + process.countLinesContaining("Illegal access")
                    + "; agent: " + (drains.isEmpty() ? "no drain line" : drains);
        }

        String out() {
            return "record file:\n" + record + "\n" + process.describe();
        }
    }

    /**
     * Starts the program ({@code agent}: with {@code -javaagent:...=debug=true}), registers {@value #TASKS}
     * tasks, starts the request that will be in flight, stops as {@code stop} says once that request is in
     * the servlet, and waits (bounded) for the JVM to exit.
     */
    Run run(String name, boolean agent, boolean stopAtShutdown, Stop stop) throws Exception {
        Path scratch = Files.createDirectories(dir.resolve(name));
        String title = host + ", " + name;
        HttpClient http = httpClient();
        try (JavaProcess p = launch(title, scratch, agent ? "debug=true" : null, stopAtShutdown, Map.of())) {
            String base = applicationUrl(p);
            List<String> labels = new ArrayList<>();
            for (int i = 1; i <= TASKS; i++) {
                String label = String.format("task-%02d", i);
                long ms = 1500 - (i - 1) * 40L; // 1500 to 580 ms, the longest first
                HttpResponse<String> r = http.send(
                        get(base + "/work?label=" + label + "&ms=" + ms), HttpResponse.BodyHandlers.ofString());
                assertEquals(
                        "200 accepted " + label, r.statusCode() + " " + r.body().strip(), p.describe());
                labels.add(label);
            }
            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                    get(base + "/slow?label=" + IN_FLIGHT + "&ms=1000&task=1000"),
                    HttpResponse.BodyHandlers.ofString());
            labels.add(IN_FLIGHT);
            p.awaitLine(l -> l.startsWith("RECORD SLOW-IN " + IN_FLIGHT + " "), REQUEST_TIMEOUT);

            long stopWallMillis = stop(p, scratch, stop);
            int exitCode = p.waitFor(EXIT_TIMEOUT);
            String answer;
            try {
                HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
                answer = r.statusCode() + " " + r.body().strip();
            } catch (Exception e) {
                answer = "failed: " + (e.getCause() == null ? e : e.getCause());
            }
            Record record = Record.read(Program.recordFile(scratch));
            if (stop == Stop.PROGRAM && record.has("STOP-BEGIN", "launcher")) {
                stopWallMillis = record.millisOf("STOP-BEGIN", "launcher");
            }
            Run run = new Run(
                    runName(title, agent, stopAtShutdown, stop),
                    p,
                    record,
                    List.copyOf(labels),
                    stopWallMillis,
                    exitCode,
                    answer);
            Figures.print(run.figures());
            Files.writeString(scratch.resolve("output.log"), run.out() + "\n");
            return run;
        }
    }

    /** What a load run does while the load goes on, before the stop: at least wait. */
    @FunctionalInterface
    interface BeforeTheStop {
        void run(HttpGet app, LoadClients load) throws Exception;

        static BeforeTheStop waitFor(Duration duration) {
            return (app, load) -> Thread.sleep(duration.toMillis());
        }
    }

    /**
     * Starts the program ({@code agent}: with the agent, without debug; {@code settings} as system properties), runs
     * {@link LoadClients} against {@code /app/work} while {@code beforeTheStop} runs, then stops as {@code stop} says
     * and waits (bounded) for the exit. The run's labels are the load's tasks whose request reached the application
     * ({@code REQUEST}), whatever their answer.
     */
    Run loadRun(
            String name,
            boolean agent,
            boolean stopAtShutdown,
            Stop stop,
            Map<String, String> settings,
            BeforeTheStop beforeTheStop)
            throws Exception {
        Path scratch = Files.createDirectories(dir.resolve(name));
        String title = host + ", " + name;
        HttpClient http = httpClient();
        try (JavaProcess p = launch(title, scratch, agent ? "debug=false" : null, stopAtShutdown, settings)) {
            String base = applicationUrl(p);
            HttpGet app = path -> http.send(get(base + path), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            LoadClients load = LoadClients.start(
                    4,
                    (label, ms) -> LoadClients.Answer.of(
                            http.send(get(base + LoadClients.work(label, ms)), HttpResponse.BodyHandlers.ofString())),
                    p::isAlive);
            beforeTheStop.run(app, load);
            load.stopping();
            long stopWallMillis = stop(p, scratch, stop);
            int exitCode = p.waitFor(EXIT_TIMEOUT);
            load.finish();
            Record record = Record.read(Program.recordFile(scratch));
            Run run = new Run(
                    runName(title, agent, stopAtShutdown, stop),
                    p,
                    record,
                    record.subjects("REQUEST", "load-"),
                    stopWallMillis,
                    exitCode,
                    "none sent");
            run.load = load;
            Files.writeString(scratch.resolve("output.log"), run.out() + "\n");
            return run;
        }
    }

    /**
     * Starts the program in {@code scratch}: with the agent and {@code agentArguments}, or without it when they are
     * null; {@code settings} as system properties.
     */
    private JavaProcess launch(
            String title, Path scratch, String agentArguments, boolean stopAtShutdown, Map<String, String> settings)
            throws IOException {
        JavaProcess.Builder jvm = program.command(title, scratch, stopAtShutdown)
                .systemProperty("waituntil.executor.threads", EXECUTOR_THREADS);
        settings.forEach(jvm::systemProperty);
        if (agentArguments != null) {
            jvm.javaAgent(ItEnvironment.agentJar(), agentArguments);
        }
        return jvm.start();
    }

    /** Waits (bounded) for the program's {@code STARTED <port>} line; returns the application's URL. */
    private static String applicationUrl(JavaProcess p) throws InterruptedException {
        String started =
                p.awaitLine(l -> l.startsWith("STARTED "), START_TIMEOUT).text();
        return "http://127.0.0.1:" + started.substring("STARTED ".length()).trim() + EmbeddedHost.APP;
    }

    /** Stops the program as {@code stop} says; returns the wall-clock time of the stop. */
    private static long stop(JavaProcess p, Path scratch, Stop stop) throws IOException {
        long stopWallMillis = System.currentTimeMillis();
        if (stop == Stop.PROGRAM) {
            Files.createFile(scratch.resolve(EmbeddedHost.STOP_FILE));
        } else {
            ProcessHandle.of(p.pid())
                    .ifPresent(ProcessHandle::destroy); // SIGTERM; Process.destroy would close the pipe
        }
        return stopWallMillis;
    }

    private String runName(String title, boolean agent, boolean stopAtShutdown, Stop stop) {
        return title + (agent ? ", agent" : ", no agent (control)") + ", " + stop
                + (host.isJetty() ? ", stopAtShutdown " + stopAtShutdown : "");
    }

    private static HttpClient httpClient() {
        return HttpClients.http11();
    }

    private static HttpRequest get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
    }
}
