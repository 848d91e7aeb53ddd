package dev.waituntil.it.spring;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.SpringBootApp;
import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Event;
import dev.waituntil.it.support.SpringBootApp.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * Zero-code capture in a Spring Boot executable jar: a controller hands its work to
 * {@code CompletableFuture.runAsync} on the default executor ({@code POST /run-async}), with no call to the
 * wait-until API, as code written before the agent does; the jar is stopped by SIGTERM with that work pending.
 *
 * <p>The work sleeps, then uses the Spring bean {@code Receipts}, which records {@code DONE <label>}, its own
 * destruction ({@code BEAN-DESTROYED}) and any use after it ({@code USED-AFTER-DESTROY}), in order, as in
 * {@link SpringBootDrainTests}. With the agent ({@code debug=true}), every piece of work is captured once, in its
 * request, and finishes before Spring destroys the beans, with graceful shutdown off and on. The control runs the
 * same jar and requests without the agent: the default executor's work is lost with the JVM, or runs against
 * the destroyed bean.
 *
 * <p>The default executor is the common pool. With 2 processors its parallelism is 1: up to JDK 24
 * {@code CompletableFuture} then starts a thread per task, from JDK 25 the pool runs the tasks one after
 * another. {@value #TASKS} tasks of 3 s down to 2 s are pending at the SIGTERM either way, and take 3 s, or
 * about 12.5 s, to finish: within the drain's default 30 s. Figures go to
 * {@code target/it-work/spring-boot-capture-<id>/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpringBootCaptureTests {

    /** Requests to {@code /run-async} after the warm-up, each handing over one piece of work. */
    private static final int TASKS = 5;

    private static final long LONGEST_MS = 3_000;
    private static final long SHORTEST_MS = 2_000;

    private static final String WARM_UP = "warm-up";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** As in {@link SpringBootDrainTests}: a small JVM that starts fast. The common pool keeps its defaults. */
    private static final List<String> JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final AppJar appJar;
    private Path dir;

    protected SpringBootCaptureTests(AppJar appJar) {
        this.appJar = appJar;
    }

    @BeforeAll
    void workDir() throws Exception {
        dir = ItEnvironment.freshWorkDir("spring-boot-capture-" + appJar.id());
    }

    // ================================================================================  with the agent

    /** Graceful shutdown off: Spring stops the web server at once, then destroys the beans. */
    @Test
    void sigtermWithRunAsyncWorkPendingFinishesItAllBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("immediate", true, false);
        assertAgentGuarantees(run);
    }

    /** Graceful shutdown on: Spring's graceful phase has no request to wait for; the agent's drain does the waiting. */
    @Test
    void sigtermWithGracefulShutdownFinishesRunAsyncWorkBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("graceful", true, true);
        assertAgentGuarantees(run);
    }

    // ================================================================================  the control

    /**
     * The same jar, requests and SIGTERM without the agent (graceful shutdown off): Spring destroys the bean while
     * the work still sleeps, and the JVM exits without waiting for the common pool, so work is lost, or finishes
     * after {@code BEAN-DESTROYED}, or uses the destroyed bean. This shows that the tests above can fail.
     */
    @Test
    void withoutTheAgentRunAsyncWorkIsLostOrOutlivesTheBeans() throws Exception {
        Run run = sigtermRun("control-no-agent", false, false);
        String why = run.why();
        assertEquals(Map.of(202, TASKS + 1), run.statuses, "every request was answered 202 (status: count)\n" + why);
        assertTrue(
                run.app
                        .firstLine(l -> l.contains("wait-until agent active: false"))
                        .isPresent(),
                "the agent is not attached\n" + why);
        assertTrue(
                !run.notDone.isEmpty() || !run.late.isEmpty() || !run.usedAfterDestroy.isEmpty(),
                "without the agent work is lost, finishes after BEAN-DESTROYED or uses the destroyed bean\n" + why);
    }

    // ================================================================================  the run

    private static final class Run {
        final String name;
        final boolean agent;
        final boolean graceful;
        SpringBootApp app;
        final List<String> labels = new ArrayList<>();
        /** Each status of the answers to {@code /run-async} (-1: no answer), with its count. */
        final Map<Integer, Integer> statuses = new TreeMap<>();

        long sigterm;
        int exit;
        long sendMillis;
        List<Event> events = List.of();
        Optional<Event> beanDestroyed = Optional.empty();
        /** Tasks (not the warm-up) without a DONE before the SIGTERM. */
        int pendingAtSigterm;

        final List<String> notDone = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        List<String> usedAfterDestroy = List.of();
        List<String> interrupted = List.of();

        Run(String name, boolean agent, boolean graceful) {
            this.name = name;
            this.agent = agent;
            this.graceful = graceful;
        }

        Optional<Event> done(String label) {
            return events.stream()
                    .filter(e -> e.kind().equals("DONE") && label.equals(e.label()))
                    .findFirst();
        }

        String why() {
            return name + ": statuses " + statuses + "; labels without DONE: " + notDone
                    + "; late (DONE after BEAN-DESTROYED): " + late + "; USED-AFTER-DESTROY: " + usedAfterDestroy
                    + "; INTERRUPTED: " + interrupted + "\n" + app.describe();
        }
    }

    /**
     * Starts the jar, sends the warm-up (1 ms of work; the first request loads Spring MVC's classes), then
     * {@value #TASKS} requests of {@value #LONGEST_MS} ms of work down to {@value #SHORTEST_MS} ms, sends SIGTERM at
     * once, waits (bounded) for the exit and reads the events. The work owed is that of every request that reached
     * the controller ({@code REQUEST}), whatever its answer.
     */
    private Run sigtermRun(String name, boolean agent, boolean graceful) throws Exception {
        Run run = new Run(name, agent, graceful);
        Path runDir = Files.createDirectories(dir.resolve(name));
        long started = System.nanoTime();
        try (SpringBootApp app = SpringBootApp.start(appJar, agent, graceful, runDir, JVM_OPTIONS, START_TIMEOUT)) {
            run.app = app;
            send(run, WARM_UP, 1);
            long sendStarted = System.nanoTime();
            for (int i = 0; i < TASKS; i++) {
                send(run, "task-" + (i + 1), LONGEST_MS - ((LONGEST_MS - SHORTEST_MS) * i) / (TASKS - 1));
            }
            run.sendMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sendStarted);
            app.sigterm();
            run.sigterm = app.sigtermWallMillis();
            run.exit = app.awaitExit(EXIT_TIMEOUT);
            run.events = app.events();
            run.events.stream().filter(e -> e.kind().equals("REQUEST")).forEach(e -> run.labels.add(e.label()));
            analyse(run);
            figures(run, started);
            return run;
        }
    }

    private static void send(Run run, String label, long ms) {
        Response r = run.app
                .postAsync("/run-async?label=" + label + "&ms=" + ms, REQUEST_TIMEOUT)
                .join();
        run.statuses.merge(r.failure() == null ? r.status() : -1, 1, Integer::sum);
    }

    private static void analyse(Run run) {
        run.beanDestroyed = run.events.stream()
                .filter(e -> e.kind().equals("BEAN-DESTROYED"))
                .findFirst();
        int destroyedAt = run.beanDestroyed.map(Event::index).orElse(Integer.MAX_VALUE);
        for (String label : run.labels) {
            Optional<Event> done = run.done(label);
            if (done.isEmpty()) {
                run.notDone.add(label);
            } else if (done.get().index() > destroyedAt) {
                run.late.add(label);
            }
            if (!label.equals(WARM_UP)
                    && done.map(e -> e.millis() >= run.sigterm).orElse(true)) {
                run.pendingAtSigterm++;
            }
        }
        run.usedAfterDestroy = labelsOf(run, "USED-AFTER-DESTROY");
        run.interrupted = labelsOf(run, "INTERRUPTED");
    }

    private static List<String> labelsOf(Run run, String kind) {
        return run.events.stream()
                .filter(e -> e.kind().equals(kind))
                .map(Event::label)
                .collect(Collectors.toList());
    }

    // ================================================================================  assertions

    /** Everything capture promises for this stop, checked together so that one report shows all that fails. */
    private void assertAgentGuarantees(Run run) {
        JavaProcess p = run.app.process();
        int beanDestroyedLine = p.indexOfLineContaining("it-app | BEAN-DESTROYED");
        String runAsyncCapture = "wait-until: captured 'CompletableFuture.runAsync from POST /run-async'";
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(
                p.firstLineContaining("wait-until agent active: true").isPresent(), "the agent is attached"));
        checks.add(() ->
                assertEquals(Map.of(202, TASKS + 1), run.statuses, "every request was answered 202 (status: count)"));
        checks.add(() -> assertEquals(TASKS + 1, run.labels.size(), "every request reached the controller"));
        checks.add(() -> assertTrue(
                run.pendingAtSigterm >= TASKS - 1,
                "at least " + (TASKS - 1) + " of the " + TASKS + " tasks were still pending at the SIGTERM ("
                        + run.pendingAtSigterm + ")"));
        checks.add(() -> assertTrue(run.beanDestroyed.isPresent(), "the stop went on: Spring destroyed the bean"));
        checks.add(() -> assertEquals(List.of(), run.notDone, "every piece of work finished (DONE)"));
        checks.add(() -> assertEquals(List.of(), run.late, "... before Spring destroyed the beans"));
        checks.add(() -> assertEquals(List.of(), run.usedAfterDestroy, "no work used the destroyed bean"));
        checks.add(() -> assertEquals(List.of(), run.interrupted, "no work was interrupted"));
        checks.add(() -> assertEquals(List.of(), p.linesContaining("still pending"), "no work outlived the drain"));
        // The application never calls the API for this work: what the agent tracks, it captured.
        checks.add(() -> assertEquals(
                List.of(), p.linesContaining("wait-until: registered '"), "nothing was registered through the API"));
        checks.add(() -> assertEquals(
                TASKS + 1L,
                p.countLinesContaining(runAsyncCapture),
                "each runAsync was captured once, in its request: a line \"" + runAsyncCapture + " ...\" each"));
        // As in SpringBootDrainTests: the drain that protects the beans is the one of the application's own stop,
        // not the JVM shutdown hook's, which runs beside Spring's, unordered.
        checks.add(() -> {
            Optional<JavaProcess.Line> drained = p.firstLine(l -> l.contains("wait-until: drain of")
                    && l.contains("all tasks finished")
                    && !l.contains("JVM shutdown hook"));
            assertTrue(drained.isPresent(), "a drain by the application's stop (not the JVM shutdown hook) finished");
            int drainedAt = p.texts().indexOf(drained.get().text());
            assertTrue(
                    beanDestroyedLine < 0 || drainedAt < beanDestroyedLine,
                    "that drain ('" + drained.get().text() + "') finished before BEAN-DESTROYED");
        });
        assertAll(
                appJar + ", server.shutdown=" + (run.graceful ? "graceful" : "immediate") + ", with the agent\n"
                        + run.why(),
                checks);
    }

    // ================================================================================  figures

    private void figures(Run run, long startedNanos) throws Exception {
        JavaProcess p = run.app.process();
        long last = run.labels.stream()
                .filter(l -> !l.equals(WARM_UP))
                .map(run::done)
                .flatMap(Optional::stream)
                .mapToLong(Event::millis)
                .max()
                .orElse(-1);
        String text = String.format(
                "%s, runAsync capture, %s, %s: start %d ms, %d requests sent in %d ms (statuses %s), %d tasks "
                        + "pending at SIGTERM; SIGTERM -> BEAN-DESTROYED %s, -> last DONE %s, -> exit %d ms (exit "
                        + "code %d); of %d pieces of work: not done %d, DONE after BEAN-DESTROYED %d, "
                        + "USED-AFTER-DESTROY %d, interrupted %d; captured lines %d; whole run %d ms",
                appJar,
                run.graceful ? "graceful" : "immediate",
                run.agent ? "agent" : "no agent (control)",
                run.app.startupMillis(),
                TASKS + 1,
                run.sendMillis,
                run.statuses,
                run.pendingAtSigterm,
                run.beanDestroyed.map(e -> (e.millis() - run.sigterm) + " ms").orElse("never"),
                last < 0 ? "none" : (last - run.sigterm) + " ms",
                p.exitWallMillis().orElse(run.sigterm) - run.sigterm,
                run.exit,
                run.labels.size(),
                run.notDone.size(),
                run.late.size(),
                run.usedAfterDestroy.size(),
                run.interrupted.size(),
                p.countLinesContaining("wait-until: captured "),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        Figures.record(dir, text);
    }
}
