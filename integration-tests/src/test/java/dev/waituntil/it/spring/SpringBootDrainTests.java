package dev.waituntil.it.spring;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ChaosRounds;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.LoadClients;
import dev.waituntil.it.support.SpringBootApp;
import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Event;
import dev.waituntil.it.support.SpringBootApp.Response;
import dev.waituntil.it.support.SpringBootApp.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * A Spring Boot 3 or 4 executable jar ({@code java -javaagent:wait-until-agent.jar=debug=true -jar app.jar}), with
 * embedded Tomcat or embedded Jetty, stopped by SIGTERM with 24 tasks pending and one request in flight, with
 * Spring Boot's graceful shutdown on ({@code --server.shutdown=graceful}) and off ({@code immediate}).
 *
 * <p>The application ({@code integration-tests-apps/spring-boot-apps/spring-boot-app-common}, the same classes in
 * every jar) hands each task to {@code WaitUntil.run}; the task sleeps, then uses a Spring bean, {@code Receipts},
 * which records {@code DONE <label>}. The bean records its own destruction ({@code DisposableBean}:
 * {@code BEAN-DESTROYED}) and fails loudly when used after it ({@code USED-AFTER-DESTROY}). The events file keeps
 * the order in which all this happened.
 *
 * <p>What the agent must do: on SIGTERM, every registered task finishes before Spring destroys the
 * application's beans, with graceful shutdown on and off; the request in flight is answered (graceful) and
 * its task finishes too; classes from the executable jar's nested jars ({@code BOOT-INF/lib}) are
 * instrumented, so a task registered by a controller belongs to its request. The control runs the same jar
 * without the agent and shows what is lost there.
 *
 * <p>Figures (counts and timings) are printed and appended to
 * {@code target/it-work/spring-boot-<id>/figures.txt} ({@link AppJar#id()}: {@code tomcat}, {@code 4-jetty}...).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SpringBootDrainTests {

    /** Pending tasks at the SIGTERM: 500 ms to 2 s each, the longest sent first, so all are pending. */
    private static final int TASKS = 24;
    /** How long the request in flight stays in the controller after it started; SIGTERM comes within that. */
    private static final long SLOW_REQUEST_MS = 3_000;
    /** The task the request in flight registers at its end. */
    private static final long SLOW_TASK_MS = 1_000;

    private static final String SLOW_LABEL = "slow-request-task";
    /** The answer of a request in flight where none was sent. */
    private static final Response NONE_SENT = new Response(-1, "", new IllegalStateException("none sent"));

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Bound on a stop: the work here lasts about 4 s; Spring's and the agent's timeouts are 30 s each. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    /**
     * 32 worker threads: with the default (one per processor, 2 here) the 24 tasks would queue for about 15 s.
     * Standalone mode (the control) reads the same setting. The other options only make a small JVM start fast.
     */
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwaituntil.executor.threads=32");

    private final AppJar appJar;
    private final Server server;
    private Path dir;

    protected SpringBootDrainTests(AppJar appJar) {
        this.appJar = appJar;
        this.server = appJar.server();
    }

    @BeforeAll
    void checkTheJar() throws IOException {
        dir = ItEnvironment.freshWorkDir("spring-boot-" + appJar.id());
        List<String> nested = appJar.nestedJars();
        // A wrong path in the failsafe settings would otherwise test one generation twice and the other never
        // (the prefix matches spring-boot-4.0.9.jar, not spring-boot-autoconfigure-4.0.9.jar).
        String bootJar = "spring-boot-" + appJar.boot().major + ".";
        assertTrue(
                nested.stream().anyMatch(n -> n.startsWith(bootJar)),
                appJar.jar() + " holds " + bootJar + "*.jar in BOOT-INF/lib: " + nested);
        // The classes the agent must find are in nested jars, where only Spring Boot's loader can read them.
        assertTrue(
                nested.stream().anyMatch(n -> n.startsWith(server.serverJarPrefix)),
                appJar.jar() + " holds " + server.serverJarPrefix + "*.jar in BOOT-INF/lib: " + nested);
        assertTrue(nested.stream().anyMatch(n -> n.startsWith("spring-webmvc-")), "spring-webmvc is nested: " + nested);
        assertTrue(nested.stream().anyMatch(n -> n.startsWith("wait-until-api-")), "the API jar is nested: " + nested);
        if (server == Server.JETTY) {
            assertFalse(
                    nested.stream().anyMatch(n -> n.startsWith("tomcat-embed-core-")),
                    "the Jetty jar has no Tomcat: " + nested);
        }
    }

    // ================================================================================  with the agent

    /**
     * Graceful shutdown on: Spring waits for the request in flight (its "Commencing graceful shutdown" and
     * "Graceful shutdown complete" lines), then stops the web server and destroys the beans. Every task,
     * including the one the request in flight registers at its very end, must be done before
     * {@code BEAN-DESTROYED}; the request is answered 202.
     */
    @Test
    void sigtermWithGracefulShutdownFinishesEveryTaskBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("graceful", true, true, true);
        String why = run.why();
        assertTrue(
                run.slowResponse.is2xx(),
                "graceful shutdown answers the request in flight: " + run.slowResponse + "\n" + why);
        assertTrue(
                run.app
                        .firstLine(l -> l.contains("Commencing graceful shutdown"))
                        .isPresent(),
                "Spring's graceful shutdown ran\n" + why);
        assertAgentGuarantees(run, why);
    }

    /**
     * Graceful shutdown off: Spring stops the web server at once. The agent must still let every task that was
     * registered finish before {@code BEAN-DESTROYED}. The request in flight reached the controller, so its task is
     * owed too: the agent's drain, at the start of the context's close, waits for requests in flight whatever
     * {@code server.shutdown} says.
     */
    @Test
    void sigtermWithImmediateShutdownFinishesEveryTaskBeforeSpringDestroysTheBeans() throws Exception {
        Run run = sigtermRun("immediate", true, false, true);
        String why = run.why();
        assertFalse(
                run.app
                        .firstLine(l -> l.contains("Commencing graceful shutdown"))
                        .isPresent(),
                "no graceful phase with server.shutdown=immediate\n" + why);
        assertAgentGuarantees(run, why);
    }

    // ================================================================================  the control

    /**
     * The control: the same jar and tasks without the agent, graceful shutdown off. The API runs in standalone
     * mode, whose JVM shutdown hook runs beside Spring's, unordered: Spring destroys the bean while tasks still
     * run, so tasks finish after {@code BEAN-DESTROYED}, fail on the destroyed bean, or are lost. This shows
     * that the tests above can fail. No request is kept in flight here: one can hold the server's stop for a
     * while (Spring Boot 3.0 and 3.1 stop Tomcat before the beans, and Tomcat waits for its request threads),
     * and tasks that end within that wait would hide the loss by luck of timing.
     */
    @Test
    void withoutTheAgentSpringDestroysTheBeansWhileTasksStillRun() throws Exception {
        Run run = sigtermRun("control-no-agent", false, false, false);
        String why = run.why();
        assertTrue(
                run.app
                        .firstLine(l -> l.contains("wait-until agent active: false"))
                        .isPresent(),
                "standalone mode: the agent is not attached\n" + why);
        assertTrue(
                !run.notDone.isEmpty() || !run.late.isEmpty() || !run.usedAfterDestroy.isEmpty(),
                "without the agent some task is lost, finishes after BEAN-DESTROYED or uses the destroyed bean\n"
                        + why);
    }

    // ================================================================================  chaos

    /**
     * Chaos: {@link ChaosRounds} rounds (none in CI; the {@code stress} profile runs 50 on each server),
     * each a fresh application under continuous load from 4 clients ({@link LoadClients}), SIGTERM at a random
     * instant 0.3 to 4 s into the load, with graceful shutdown on or off at random. The task of every request that
     * reached the controller must finish before Spring destroys the beans, none may use the destroyed bean or be
     * cancelled, and no request may be answered 5xx. The control, without the agent and with immediate shutdown,
     * SIGTERM 2 s into the load, must see a task lost, late or failing; it prints what its clients saw.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES) // 50 rounds under the stress profile; each round is bounded
    void chaosSigtermUnderLoadAtRandomInstantsLosesNothing() throws Exception {
        ChaosRounds chaos = ChaosRounds.forContainer("spring-boot-" + appJar.id());
        chaos.run(Figures::print, (round, instant) -> {
            boolean graceful = chaos.pick(List.of(true, false));
            String how = "SIGTERM, " + (graceful ? "graceful" : "immediate");
            Run run = loadRun("chaos-" + round, true, graceful, instant);
            Figures.print(chaos.record(
                    round,
                    how,
                    instant,
                    run.labels.size(),
                    run.labels.size() - run.notDone.size(),
                    run.notDone.size(),
                    run.late.size(),
                    run.load,
                    run.app.process().exitWallMillis().orElse(run.sigterm) - run.sigterm));
            String why = chaos.describe(round, how, instant) + "\n" + run.why();
            assertEquals(
                    List.of(),
                    run.load.answeredButNotRecorded(run.labels),
                    "every request answered 2xx was recorded by the application\n" + why);
            assertEquals(
                    Map.of(),
                    run.load.answered5xx(),
                    "no request was answered 5xx: " + run.load.statusCounts() + "\n" + why);
            assertEquals(List.of(), run.notDone, "the task of every request the application saw finished\n" + why);
            assertEquals(List.of(), run.late, "... before Spring destroyed the beans\n" + why);
            assertEquals(List.of(), run.usedAfterDestroy, "no task used the destroyed bean\n" + why);
            assertEquals(List.of(), run.interrupted, "no task was cancelled\n" + why);
            return run.labels.size();
        });

        Run control = loadRun("chaos-control", false, false, Duration.ofSeconds(2));
        Figures.print("chaos spring-boot-" + appJar.id() + " control without the agent: requests "
                + control.load.statusCounts() + "; tasks of requests the application saw " + control.labels.size()
                + ", not done " + control.notDone.size() + ", late " + control.late.size()
                + ", used the destroyed bean "
                + control.usedAfterDestroy.size());
        assertTrue(
                !control.notDone.isEmpty() || !control.late.isEmpty() || !control.usedAfterDestroy.isEmpty(),
                "without the agent the same round loses tasks, finishes them late or uses the destroyed bean; if not, "
                        + "the checks above prove nothing\n" + control.why());
    }

    /**
     * Starts the jar, runs the load for {@code before}, sends SIGTERM, waits (bounded) for the exit; the labels are the
     * tasks whose request reached the controller ({@code REQUEST}), whatever their answer.
     */
    private Run loadRun(String name, boolean agent, boolean graceful, Duration before) throws Exception {
        Run run = new Run(name, agent, graceful);
        Path runDir = Files.createDirectories(dir.resolve(name));
        try (SpringBootApp app = SpringBootApp.start(appJar, agent, graceful, runDir, JVM_OPTIONS, START_TIMEOUT)) {
            run.app = app;
            app.post("/work?label=warm-up&ms=1", 202);
            run.labels.add("warm-up");
            LoadClients load = LoadClients.start(
                    4, (label, ms) -> answer(app, "/work?label=" + label + "&ms=" + ms), app.process()::isAlive);
            Thread.sleep(before.toMillis());
            load.stopping();
            app.sigterm();
            run.sigterm = app.sigtermWallMillis();
            run.exit = app.awaitExit(EXIT_TIMEOUT);
            load.finish();
            run.load = load;
            run.slowResponse = NONE_SENT;
            run.events = app.events();
            run.events.stream()
                    .filter(e -> e.kind().equals("REQUEST") && e.label().startsWith("load-"))
                    .forEach(e -> run.labels.add(e.label()));
            analyse(run);
            return run;
        }
    }

    /** The answer to {@code POST path}; a request that got no answer throws its {@link IOException}. */
    private static LoadClients.Answer answer(SpringBootApp app, String path) throws IOException {
        Response r = app.postAsync(path, Duration.ofSeconds(20)).join();
        if (r.failure() == null) {
            return new LoadClients.Answer(r.status(), r.body());
        }
        Throwable cause = r.failure() instanceof java.util.concurrent.CompletionException
                        && r.failure().getCause() != null
                ? r.failure().getCause()
                : r.failure();
        throw cause instanceof IOException io ? io : new IOException(cause);
    }

    // ================================================================================  one run

    /** What one SIGTERM run produced. */
    private static final class Run {
        final String name;
        final boolean agent;
        final boolean graceful;
        SpringBootApp app;
        boolean requestInFlight;
        int exit;
        List<String> labels = new ArrayList<>();
        List<Event> events = List.of();
        Response slowResponse;
        /** What the chaos load's clients saw. */
        LoadClients load;

        long sigterm;
        int pendingAtSigterm;
        Optional<Event> beanDestroyed = Optional.empty();
        /** Labels without a DONE line, for whatever reason. */
        List<String> notDone = new ArrayList<>();
        /** Labels that never reached the bean at all: no DONE, no USED-AFTER-DESTROY, no INTERRUPTED. */
        List<String> lost = new ArrayList<>();
        /** Labels whose DONE came after BEAN-DESTROYED. */
        List<String> late = new ArrayList<>();

        List<Event> usedAfterDestroy = new ArrayList<>();
        List<Event> interrupted = new ArrayList<>();

        Run(String name, boolean agent, boolean graceful) {
            this.name = name;
            this.agent = agent;
            this.graceful = graceful;
        }

        String why() {
            return "labels without DONE: " + notDone + "\nlabels that never reached the bean: " + lost
                    + "\nlabels late (DONE after BEAN-DESTROYED): " + late
                    + "\nUSED-AFTER-DESTROY: "
                    + usedAfterDestroy.stream().map(Event::label).collect(Collectors.toList())
                    + "\nINTERRUPTED: " + interrupted.stream().map(Event::label).collect(Collectors.toList())
                    + "\nrequest in flight: " + slowResponse + "\n" + app.describe();
        }

        Optional<Event> done(String label) {
            return events.stream()
                    .filter(e -> e.kind().equals("DONE") && label.equals(e.label()))
                    .findFirst();
        }
    }

    /**
     * Starts the jar, sends a warm-up task, the slow request (kept in flight, if asked for) and 24 tasks of 2 s
     * down to 500 ms, sends SIGTERM at once, waits (bounded) for the exit and the answer, and reads the events.
     */
    private Run sigtermRun(String name, boolean agent, boolean graceful, boolean requestInFlight) throws Exception {
        Run run = new Run(name, agent, graceful);
        run.requestInFlight = requestInFlight;
        Path runDir = Files.createDirectories(dir.resolve(name));
        long started = System.nanoTime();
        try (SpringBootApp app = SpringBootApp.start(appJar, agent, graceful, runDir, JVM_OPTIONS, START_TIMEOUT)) {
            run.app = app;
            // The first request of a fresh JVM loads and instruments Spring MVC's classes: not part of the load.
            app.post("/work?label=warm-up&ms=1", 202);
            run.labels.add("warm-up");

            CompletableFuture<Response> slow;
            if (requestInFlight) {
                slow = app.postAsync(
                        "/slow?label=" + SLOW_LABEL + "&ms=" + SLOW_REQUEST_MS + "&task=" + SLOW_TASK_MS,
                        Duration.ofSeconds(60));
                app.awaitLine(l -> l.contains("it-app | SLOW-STARTED " + SLOW_LABEL), Duration.ofSeconds(30));
            } else {
                slow = CompletableFuture.completedFuture(NONE_SENT);
            }

            long loadStarted = System.nanoTime();
            for (int i = 0; i < TASKS; i++) {
                String label = "task-" + (i + 1);
                long ms = 2_000 - (1_500L * i) / (TASKS - 1); // 2000 ms down to 500 ms
                app.post("/work?label=" + label + "&ms=" + ms, 202);
                run.labels.add(label);
            }
            long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStarted);
            assertTrue(
                    !requestInFlight || !slow.isDone(),
                    "the slow request is still in flight at the SIGTERM (sending the " + TASKS + " tasks took "
                            + loadMillis + " ms): " + (slow.isDone() ? slow.get() : "") + "\n" + app.describe());

            app.sigterm();
            run.sigterm = app.sigtermWallMillis();
            run.exit = app.awaitExit(EXIT_TIMEOUT);
            run.slowResponse = slow.get(30, TimeUnit.SECONDS); // the exit closed the connection: bounded anyway
            run.events = app.events();
            // The request reached the controller: its task is owed, whatever Spring's stop did to the answer.
            boolean slowRequested =
                    run.events.stream().anyMatch(e -> e.kind().equals("REQUEST") && SLOW_LABEL.equals(e.label()));
            boolean slowRegistered = run.events.stream().anyMatch(e -> e.kind().equals("SLOW-REGISTERED"));
            if (slowRequested || slowRegistered || run.slowResponse.is2xx()) {
                run.labels.add(SLOW_LABEL);
            }
            analyse(run);
            figures(run, loadMillis, started);
            return run;
        }
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
                if (run.events.stream()
                        .noneMatch(e -> label.equals(e.label())
                                && (e.kind().equals("USED-AFTER-DESTROY")
                                        || e.kind().equals("INTERRUPTED")))) {
                    run.lost.add(label);
                }
            } else if (done.get().index() > destroyedAt) {
                run.late.add(label);
            }
            if (!label.equals("warm-up")
                    && !label.equals(SLOW_LABEL)
                    && done.map(e -> e.millis() >= run.sigterm).orElse(true)) {
                run.pendingAtSigterm++;
            }
        }
        run.usedAfterDestroy = run.events.stream()
                .filter(e -> e.kind().equals("USED-AFTER-DESTROY"))
                .collect(Collectors.toList());
        run.interrupted =
                run.events.stream().filter(e -> e.kind().equals("INTERRUPTED")).collect(Collectors.toList());
    }

    // ================================================================================  assertions

    /**
     * Everything the agent promises for a Spring Boot stop, checked together so that one report shows every
     * property that does not hold.
     */
    private void assertAgentGuarantees(Run run, String why) {
        JavaProcess p = run.app.process();
        int beanDestroyedLine = p.indexOfLineContaining("it-app | BEAN-DESTROYED");
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(
                p.firstLineContaining("wait-until agent active: true").isPresent(), "the agent is attached"));
        checks.add(() -> assertTrue(
                run.pendingAtSigterm >= 20,
                "at least 20 of the " + TASKS + " tasks were still pending at the SIGTERM (" + run.pendingAtSigterm
                        + ")"));
        checks.add(() -> assertTrue(run.beanDestroyed.isPresent(), "the stop went on: Spring destroyed the bean"));
        checks.add(() -> assertEquals(List.of(), run.notDone, "every registered task finished its work (DONE)"));
        checks.add(() -> assertEquals(
                List.of(),
                run.late,
                "every task finished before Spring destroyed the beans (DONE before BEAN-DESTROYED)"));
        checks.add(() -> assertEquals(
                List.of(),
                run.usedAfterDestroy.stream().map(Event::label).collect(Collectors.toList()),
                "no task used the bean after Spring destroyed it (USED-AFTER-DESTROY)"));
        checks.add(() -> assertEquals(
                List.of(),
                run.interrupted.stream().map(Event::label).collect(Collectors.toList()),
                "no task was interrupted"));
        checks.add(() -> assertTrue(
                !run.slowResponse.is2xx() || run.labels.contains(SLOW_LABEL),
                "a request in flight answered 2xx registered its task"));
        checks.add(() -> assertEquals(
                List.of(),
                run.events.stream()
                        .filter(e -> e.kind().equals("SLOW-REJECTED"))
                        .map(Event::text)
                        .collect(Collectors.toList()),
                "the request in flight was not refused its task"));
        checks.add(() -> assertEquals(List.of(), p.linesContaining("still pending"), "no task outlived the drain"));
        // The drain that protects the beans comes from a hook in the application's own stop (which one, the web
        // server's or the context's, differs between Boot generations), not from the JVM shutdown hook, which runs
        // beside Spring's own hook, unordered.
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
        // Nested jars: the servlet, the server and the request scope all come from BOOT-INF/lib.
        checks.add(() -> assertTrue(
                p.firstLineContaining("wait-until: instrumented org.springframework.web.servlet.DispatcherServlet")
                        .isPresent(),
                "DispatcherServlet (BOOT-INF/lib/spring-webmvc-*.jar) was instrumented"));
        checks.add(() -> assertTrue(
                p.firstLineContaining("wait-until: instrumented " + server.serverClass)
                        .isPresent(),
                server.serverClass + " (BOOT-INF/lib/" + server.serverJarPrefix + "*.jar) was instrumented"));
        checks.add(() -> {
            List<String> unscoped = new ArrayList<>();
            for (String label : run.labels) {
                String path = label.equals(SLOW_LABEL) ? "/slow" : "/work";
                if (p.firstLine(registeredInRequest(label, path)).isEmpty()) {
                    unscoped.add(label);
                }
            }
            assertEquals(
                    List.of(),
                    unscoped,
                    "every task was registered in its request: a debug line "
                            + "\"registered '<label>' (... request POST /work ...)\" for each");
        });
        // Spring Boot's Tomcat context is its own TomcatEmbeddedContext, whose package differs between Boot 3
        // (org.springframework.boot.web.embedded.tomcat) and Boot 4 (org.springframework.boot.tomcat).
        checks.add(() -> assertEquals(
                List.of(),
                p.linesContaining("cannot tell which application"),
                "the agent recognises the application that stops"));
        assertAll(
                appJar + ", server.shutdown=" + (run.graceful ? "graceful" : "immediate") + ", with the agent\n" + why,
                checks);
    }

    private static Predicate<String> registeredInRequest(String label, String path) {
        return l -> l.contains("wait-until: registered '" + label + "'") && l.contains("request POST " + path);
    }

    // ================================================================================  figures

    private void figures(Run run, long loadMillis, long startedNanos) throws IOException {
        JavaProcess p = run.app.process();
        long last = run.labels.stream()
                .filter(l -> !l.equals("warm-up"))
                .map(run::done)
                .flatMap(Optional::stream)
                .mapToLong(Event::millis)
                .max()
                .orElse(-1);
        String drains = p.texts().stream()
                .filter(l -> l.contains("wait-until: drain of"))
                .map(l -> l.substring(l.indexOf("drain of")))
                .collect(Collectors.joining("; "));
        String text = String.format(
                "%s, %s, %s: start %d ms (Spring's \"Started\" line), %d tasks sent in %d ms, "
                        + "%d pending and %d request(s) in flight at SIGTERM; SIGTERM -> BEAN-DESTROYED %s, -> last DONE %s, "
                        + "-> exit %d ms (exit code %d); request in flight: %s; of %d tasks: DONE before BEAN-DESTROYED %d, "
                        + "DONE after it %d, USED-AFTER-DESTROY %d, interrupted %d, never reached the bean %d; drains: %s; "
                        + "whole run %d ms",
                appJar,
                run.graceful ? "graceful" : "immediate",
                run.agent ? "agent" : "no agent (control)",
                run.app.startupMillis(),
                TASKS,
                loadMillis,
                run.pendingAtSigterm,
                run.requestInFlight ? 1 : 0,
                run.beanDestroyed.map(e -> (e.millis() - run.sigterm) + " ms").orElse("never"),
                last < 0 ? "none" : (last - run.sigterm) + " ms",
                p.exitWallMillis().orElse(run.sigterm) - run.sigterm,
                run.exit,
                run.requestInFlight ? run.slowResponse : "none sent",
                run.labels.size(),
                run.labels.size() - run.notDone.size() - run.late.size(),
                run.late.size(),
                run.usedAfterDestroy.size(),
                run.interrupted.size(),
                run.lost.size(),
                drains.isEmpty() ? "none" : drains,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        Figures.record(dir, text);
    }
}
