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
 * <p>The same with {@code @Async} methods, still with no API call: on Spring Boot's {@code applicationTaskExecutor}
 * ({@code POST /async}; a {@code ThreadPoolTaskExecutor}, captured at its JDK pool) and on a
 * {@code SimpleAsyncTaskExecutor} bean with a {@code TaskDecorator} ({@code POST /async-simple}; a thread per task,
 * captured where it starts the thread): each piece is captured once, in its request, runs decorated, and finishes
 * before Spring destroys the beans. Without the agent, Boot's executor waits for its work only as long as the
 * context's lifecycle phase may last (Spring 6.1 and later; shortened to 1 s in those runs), and the JVM exits under
 * the simple executor's threads.
 *
 * <p>The default executor is the common pool. With 2 processors its parallelism is 1: up to JDK 24
 * {@code CompletableFuture} then starts a thread per task, from JDK 25 the pool runs the tasks one after
 * another. {@value #TASKS} tasks of 3 s down to 2 s are pending at the SIGTERM either way, and take 3 s, or
 * about 12.5 s, to finish: within the drain's default 30 s. Figures go to
 * {@code target/it-work/spring-boot-capture-<id>/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpringBootCaptureTests {

    /** Requests after the warm-up, each handing over one piece of work; more for {@code /async} (see there). */
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
        Run run = sigtermRun("immediate", RUN_ASYNC, true, false);
        assertAgentGuarantees(run);
    }

    /** Graceful shutdown on: Spring's graceful phase has no request to wait for; the agent's drain does the waiting. */
    @Test
    void sigtermWithGracefulShutdownFinishesRunAsyncWorkBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("graceful", RUN_ASYNC, true, true);
        assertAgentGuarantees(run);
    }

    /** {@code @Async} on Spring Boot's {@code applicationTaskExecutor}, whose JDK pool captures the work. */
    @Test
    void sigtermWithAsyncWorkOnBootsExecutorPendingFinishesItAllBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("async-immediate", ASYNC, true, false);
        assertAgentGuarantees(run);
    }

    /** {@code @Async("simple")} on a {@code SimpleAsyncTaskExecutor}: a thread per task, decorated. */
    @Test
    void sigtermWithAsyncWorkOnASimpleAsyncTaskExecutorFinishesItAllBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("async-simple-immediate", ASYNC_SIMPLE, true, false);
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
        assertWorkLostWithoutTheAgent(sigtermRun("control-no-agent", RUN_ASYNC, false, false));
    }

    /**
     * {@code @Async} on Boot's executor without the agent: the executor's own stop waits for its tasks only as long
     * as the lifecycle phase may last (1 s here, see {@link #ASYNC}), then Spring interrupts them and destroys the
     * beans. Shows that the test with the agent can fail.
     */
    @Test
    void withoutTheAgentAsyncWorkOnBootsExecutorIsLostOrOutlivesTheBeans() throws Exception {
        assertWorkLostWithoutTheAgent(sigtermRun("control-no-agent-async", ASYNC, false, false));
    }

    /** {@code @Async("simple")} without the agent: the JVM exits under the executor's threads. */
    @Test
    void withoutTheAgentAsyncWorkOnASimpleAsyncTaskExecutorIsLostOrOutlivesTheBeans() throws Exception {
        assertWorkLostWithoutTheAgent(sigtermRun("control-no-agent-async-simple", ASYNC_SIMPLE, false, false));
    }

    private static void assertWorkLostWithoutTheAgent(Run run) {
        String why = run.why();
        assertEquals(
                Map.of(202, run.tasks + 1), run.statuses, "every request was answered 202 (status: count)\n" + why);
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

    /** How a request hands its work over, and how the agent labels the capture of it. */
    private record Endpoint(String path, String capture, int tasks, List<String> jvmOptions) {}

    private static final Endpoint RUN_ASYNC =
            new Endpoint("/run-async", "CompletableFuture.runAsync", TASKS, List.of());
    /**
     * An {@code @Async void} method is submitted: {@code ThreadPoolTaskExecutor.submit}, to its JDK pool. 12 tasks:
     * more than the 8 threads of Boot's pool, so some wait in its queue. Since Spring 6.1 the executor's own stop,
     * in the context's lifecycle phase, waits for its tasks, queued ones included, but only as long as that phase
     * may last ({@code spring.lifecycle.timeout-per-shutdown-phase}, 30 s by default), then interrupts them: set to
     * 1 s here, with and without the agent, so that the control shows that wait ending before the work; the agent's
     * drain comes before that phase and has its own timeout.
     */
    private static final Endpoint ASYNC = new Endpoint(
            "/async", "ThreadPoolExecutor.submit", 12, List.of("-Dspring.lifecycle.timeout-per-shutdown-phase=1s"));
    /** Submitted too, but the decorator wraps the {@code FutureTask}: what starts the thread is a plain task. */
    private static final Endpoint ASYNC_SIMPLE =
            new Endpoint("/async-simple", "SimpleAsyncTaskExecutor.execute", TASKS, List.of());

    private static final class Run {
        final String name;
        final Endpoint endpoint;
        final int tasks;
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

        Run(String name, Endpoint endpoint, boolean agent, boolean graceful) {
            this.name = name;
            this.endpoint = endpoint;
            this.tasks = endpoint.tasks();
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
    private Run sigtermRun(String name, Endpoint endpoint, boolean agent, boolean graceful) throws Exception {
        Run run = new Run(name, endpoint, agent, graceful);
        Path runDir = Files.createDirectories(dir.resolve(name));
        long started = System.nanoTime();
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        options.addAll(endpoint.jvmOptions());
        try (SpringBootApp app = SpringBootApp.start(appJar, agent, graceful, runDir, options, START_TIMEOUT)) {
            run.app = app;
            send(run, WARM_UP, 1);
            long sendStarted = System.nanoTime();
            for (int i = 0; i < run.tasks; i++) {
                send(run, "task-" + (i + 1), LONGEST_MS - ((LONGEST_MS - SHORTEST_MS) * i) / (run.tasks - 1));
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
                .postAsync(run.endpoint.path() + "?label=" + label + "&ms=" + ms, REQUEST_TIMEOUT)
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
        String capture = "wait-until: captured '" + run.endpoint.capture() + " from POST " + run.endpoint.path() + "'";
        String anyCapture = "wait-until: captured '";
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(
                p.firstLineContaining("wait-until agent active: true").isPresent(), "the agent is attached"));
        checks.add(() -> assertEquals(
                Map.of(202, run.tasks + 1), run.statuses, "every request was answered 202 (status: count)"));
        checks.add(() -> assertEquals(run.tasks + 1, run.labels.size(), "every request reached the controller"));
        checks.add(() -> assertTrue(
                run.pendingAtSigterm >= run.tasks - 1,
                "at least " + (run.tasks - 1) + " of the " + run.tasks + " tasks were still pending at the SIGTERM ("
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
                run.tasks + 1L,
                p.countLinesContaining(capture),
                "each hand-over was captured once, in its request: a line \"" + capture + " ...\" each"));
        checks.add(() -> assertEquals(
                run.tasks + 1L,
                p.countLinesContaining(anyCapture),
                "nothing else was captured (no task captured twice, by two executors): lines \"" + anyCapture
                        + "...\""));
        if (run.endpoint == ASYNC) {
            checks.add(() ->
                    assertEquals(run.tasks + 1L, p.countLinesContaining("it-app | async "), "every @Async method ran"));
            checks.add(() -> assertEquals(
                    0L,
                    p.countLinesContaining(" on thread simple-"),
                    "... on Spring Boot's executor, not on the simple one"));
        }
        if (run.endpoint == ASYNC_SIMPLE) {
            checks.add(() -> assertEquals(
                    run.tasks + 1L,
                    p.countLinesContaining(" on thread simple-"),
                    "every @Async method ran on the simple executor's threads"));
            checks.add(() -> assertEquals(
                    run.tasks + 1L,
                    p.countLinesContaining(" (decorated)"),
                    "the simple executor's TaskDecorator applied to every piece"));
        }
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
                "%s, %s capture, %s, %s: start %d ms, %d requests sent in %d ms (statuses %s), %d tasks "
                        + "pending at SIGTERM; SIGTERM -> BEAN-DESTROYED %s, -> last DONE %s, -> exit %d ms (exit "
                        + "code %d); of %d pieces of work: not done %d, DONE after BEAN-DESTROYED %d, "
                        + "USED-AFTER-DESTROY %d, interrupted %d; captured lines %d; whole run %d ms",
                appJar,
                run.endpoint.path(),
                run.graceful ? "graceful" : "immediate",
                run.agent ? "agent" : "no agent (control)",
                run.app.startupMillis(),
                run.tasks + 1,
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
