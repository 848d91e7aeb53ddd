package dev.waituntil.it.spring;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.SpringTestWar;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import dev.waituntil.it.support.TomcatTestWar;
import dev.waituntil.it.support.TomcatTestWar.Events;
import dev.waituntil.it.support.TomcatTestWar.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Spring web application in a WAR, the way Spring runs without Boot: a plain Spring root context started by
 * {@code ContextLoaderListener}, no Spring Boot ({@link SpringTestWar}), on the standalone Tomcat 10.1 distribution, each
 * test with a server process of its own. The tasks end by using a bean that Spring destroys when the root context
 * closes, in {@code ContextLoaderListener.contextDestroyed}; the events file says whether each task used it in time
 * ({@code DONE} before {@code BEAN-DESTROYED}), used it after ({@code USED-AFTER-DESTROY}) or never ended.
 *
 * <p>With the agent, on SIGTERM and on undeploy, every task must be done before Spring destroys the bean. Without the
 * agent, and with the API's own initializer switched off by {@code <absolute-ordering/>}, the same tasks use the
 * destroyed bean or are lost: the control that shows the test can fail. Without the agent but with that initializer,
 * the standalone mode drains at the application's teardown, before Spring's listener closes the context.
 *
 * <p>Task {@code i} of {@value #TASKS} lasts {@code 3000 - 100 (i - 1)} ms (3 s down to 1.1 s): the first ones wait
 * through every request after them, the last ones through none, so on a slow machine none ends before the stop, which
 * each test checks. {@code -Dwaituntil.executor.threads=64}, as in {@code TomcatShutdownDrainTests}: with one thread per
 * processor the tasks would queue. Figures go to {@code target/it-work/spring-war/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringWarIT {

    private static final int TASKS = 20;
    /** Spring's context and Tomcat's scan of the Spring jars for Spring's initializer come before the first answer. */
    private static final Duration APP_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on a stop only: the drains here last a few seconds; the default drain timeout is 30 s. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwaituntil.executor.threads=64");
    /** The line the API logs when its initializer's listener drained the application (docs/api.md, "Without the agent"). */
    private static final String DRAINED_AT_TEARDOWN = "wait-until: drained application /app at its teardown";

    private TomcatDistribution tomcat;
    private Path dir;
    /** The API's initializer active, as an application deploys it. */
    private Path war;
    /** The same with {@code <absolute-ordering/>}: no initializer of a bundled jar runs. */
    private Path warWithoutInitializers;

    private String agentStarted;
    private String springVersion;

    @BeforeAll
    void buildTheWars() throws Exception {
        tomcat = TomcatDistribution.of("tomcat10");
        dir = ItEnvironment.freshWorkDir("spring-war");
        war = SpringTestWar.build(tomcat, dir.resolve("war"), "spring", true);
        warWithoutInitializers = SpringTestWar.build(tomcat, dir.resolve("war"), "spring-no-initializers", false);
        agentStarted = ItEnvironment.agentStartedLine();
        springVersion = SpringTestWar.springVersion();
    }

    /**
     * SIGTERM with {@value #TASKS} tasks pending: Tomcat's engine stop drains them before any application stops, so
     * every one is done before Spring destroys the bean, and none uses it afterwards.
     */
    @Test
    void sigtermFinishesEveryTaskBeforeSpringDestroysTheBean() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("sigterm", true, war)) {
            List<String> labels = pendingTasks(server, "sigterm");
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Judged j = judge(events, labels, server.stopWallMillis());
            figure("SIGTERM, agent", j, server, exit, started);
            String why = j.describe() + "\n" + events.describe() + "\n" + server.describe();

            assertEquals(List.of(), j.doneBeforeTheStop, "precondition: every task pending at the stop\n" + why);
            assertTrue(
                    events.first(SpringTestWar.BEAN_DESTROYED).isPresent(),
                    "the stop went on: Spring destroyed the " + "bean\n" + why);
            assertEquals(List.of(), j.usedAfterDestroy, "no task used the bean after Spring destroyed it\n" + why);
            assertEquals(List.of(), j.outcome.lost, "every task finished (none lost)\n" + why);
            assertEquals(List.of(), j.outcome.late, "... before Spring destroyed the bean\n" + why);
            assertWithTheAgent(server, why);
        }
    }

    /**
     * Undeploy by deleting the WAR from {@code webapps/} while the server stays up: the application's drain comes
     * before its teardown, so before its Spring context closes; every task is done before the bean is destroyed.
     */
    @Test
    void undeployFinishesEveryTaskBeforeSpringDestroysTheBeanWhileTheServerStaysUp() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("undeploy", true, war)) {
            List<String> labels = pendingTasks(server, "undeploy");
            long deletedAt = System.currentTimeMillis();
            long deletedNanos = System.nanoTime();
            Files.delete(server.base().webapps().resolve("app.war"));
            server.awaitLine(l -> l.contains("Undeploying context [/app]"), EVENT_TIMEOUT);
            Events.await(server, SpringTestWar.BEAN_DESTROYED, SpringTestWar.BEAN, EVENT_TIMEOUT);
            long undeployMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deletedNanos);
            assertTrue(server.isAlive(), "the server stays up\n" + server.describe());
            awaitNotFound(server, "/app/ping");

            Events events = Events.of(server);
            Judged j = judge(events, labels, deletedAt);
            String why = j.describe() + "\n" + events.describe() + "\n" + server.describe();
            assertEquals(
                    List.of(),
                    j.doneBeforeTheStop,
                    "precondition: every task pending when the WAR was deleted\n" + why);
            assertEquals(List.of(), j.usedAfterDestroy, "no task used the bean after Spring destroyed it\n" + why);
            assertEquals(List.of(), j.outcome.lost, "every task finished (none lost)\n" + why);
            assertEquals(List.of(), j.outcome.late, "... before Spring destroyed the bean\n" + why);

            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            figure("undeploy, agent (stop -> exit: the SIGTERM after it)", j, server, exit, started);
            figureLine(String.format("     undeploy: WAR deleted -> BEAN-DESTROYED seen %,d ms", undeployMillis));
            assertWithTheAgent(server, server.describe());
        }
    }

    /**
     * The control: no agent, and {@code <absolute-ordering/>} switches off the API's initializer, whose drain would
     * come before Spring's listener (the next test). Tomcat closes the Spring context at once on SIGTERM, and the API's
     * JVM shutdown hook waits for the tasks beside it: they use the destroyed bean, or are lost. If this fails, the two
     * tests with the agent above no longer show anything.
     */
    @Test
    void withoutTheAgentOrTheApisInitializerTasksUseTheDestroyedBeanOrAreLost() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("no-agent-no-initializer", false, warWithoutInitializers)) {
            List<String> labels = pendingTasks(server, "control");
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Judged j = judge(events, labels, server.stopWallMillis());
            figure("SIGTERM, no agent, <absolute-ordering/> (control)", j, server, exit, started);
            String why = j.describe() + "\n" + events.describe() + "\n" + server.describe();

            assertEquals(List.of(), j.doneBeforeTheStop, "precondition: every task pending at the stop\n" + why);
            assertTrue(server.firstLine(l -> l.contains(NOT_ATTACHED)).isPresent(), "standalone mode\n" + why);
            assertEquals(
                    List.of(),
                    server.linesContaining(DRAINED_AT_TEARDOWN),
                    "precondition: the API's initializer " + "did not run\n" + why);
            assertTrue(events.first(SpringTestWar.BEAN_DESTROYED).isPresent(), "Spring destroyed the bean\n" + why);
            assertTrue(
                    !j.usedAfterDestroy.isEmpty() || !j.neverEnded.isEmpty(),
                    "without the agent and the API's " + "initializer some task uses the destroyed bean or is lost\n"
                            + why);
        }
    }

    /**
     * No agent, the API's initializer active (the WAR as deployed): its listener is added after {@code web.xml}'s, so
     * its {@code contextDestroyed} comes before {@code ContextLoaderListener}'s, and the standalone mode's drain there
     * finishes every task before Spring destroys the bean.
     */
    @Test
    void withoutTheAgentTheApisInitializerFinishesTheTasksBeforeSpringDestroysTheBean() throws Exception {
        long started = System.nanoTime();
        try (TomcatServer server = start("no-agent", false, war)) {
            List<String> labels = pendingTasks(server, "standalone");
            server.sigterm();
            int exit = server.awaitExit(EXIT_TIMEOUT);
            Events events = Events.of(server);
            Judged j = judge(events, labels, server.stopWallMillis());
            figure("SIGTERM, no agent, the API's initializer (standalone mode)", j, server, exit, started);
            String why = j.describe() + "\n" + events.describe() + "\n" + server.describe();

            assertEquals(List.of(), j.doneBeforeTheStop, "precondition: every task pending at the stop\n" + why);
            assertTrue(server.firstLine(l -> l.contains(NOT_ATTACHED)).isPresent(), "standalone mode\n" + why);
            assertTrue(events.first(SpringTestWar.BEAN_DESTROYED).isPresent(), "Spring destroyed the bean\n" + why);
            assertEquals(List.of(), j.usedAfterDestroy, "no task used the bean after Spring destroyed it\n" + why);
            assertEquals(List.of(), j.outcome.lost, "every task finished (none lost)\n" + why);
            assertEquals(List.of(), j.outcome.late, "... before Spring destroyed the bean\n" + why);
            assertEquals(
                    1,
                    server.linesContaining(DRAINED_AT_TEARDOWN).size(),
                    "one line says that the application was " + "drained at its teardown\n" + why);
        }
    }

    // =====================================================================================  scenario

    /** {@value #TASKS} tasks, 3 s down to 1.1 s, registered one request after the other; returns their labels. */
    private static List<String> pendingTasks(TomcatServer server, String prefix) throws Exception {
        List<String> labels = new ArrayList<>();
        for (int i = 1; i <= TASKS; i++) {
            String label = prefix + "-" + i;
            server.ok("/app/work?label=" + label + "&ms=" + (3000 - 100 * (i - 1)));
            labels.add(label);
        }
        return labels;
    }

    /** What became of a run's tasks, judged by the events file, against the bean's destruction. */
    private static final class Judged {
        final Outcome outcome;
        /** Tasks whose DONE came before {@code stopMillis}: a failed precondition. */
        final List<String> doneBeforeTheStop;

        final List<String> usedAfterDestroy;
        /** Neither DONE nor USED-AFTER-DESTROY: the task never reached the bean (lost, or interrupted). */
        final List<String> neverEnded;

        Judged(
                Outcome outcome,
                List<String> doneBeforeTheStop,
                List<String> usedAfterDestroy,
                List<String> neverEnded) {
            this.outcome = outcome;
            this.doneBeforeTheStop = doneBeforeTheStop;
            this.usedAfterDestroy = usedAfterDestroy;
            this.neverEnded = neverEnded;
        }

        String summary() {
            return String.format(
                    "tasks %d, done before BEAN-DESTROYED %d, used the destroyed bean %d, never ended %d, "
                            + "done after BEAN-DESTROYED %d",
                    outcome.expected,
                    outcome.finished - outcome.late.size(),
                    usedAfterDestroy.size(),
                    neverEnded.size(),
                    outcome.late.size());
        }

        String describe() {
            return summary() + "\nused after destroy: " + usedAfterDestroy + "\nnever ended: " + neverEnded + "\nlate: "
                    + outcome.late + "\ndone before the stop: " + doneBeforeTheStop;
        }
    }

    private static Judged judge(Events events, List<String> labels, long stopMillis) {
        Outcome o = Outcome.beforeFirst(events, labels, SpringTestWar.BEAN_DESTROYED);
        List<String> early = labels.stream()
                .filter(l -> o.done.containsKey(l) && o.done.get(l).millis() < stopMillis)
                .collect(Collectors.toList());
        List<String> used = labels.stream()
                .filter(l -> events.first(SpringTestWar.USED_AFTER_DESTROY, l).isPresent())
                .collect(Collectors.toList());
        List<String> never = o.lost.stream().filter(l -> !used.contains(l)).collect(Collectors.toList());
        return new Judged(o, early, used, never);
    }

    // =====================================================================================  helpers

    /** A fresh base with {@code war} deployed as {@code /app} and the events file under it; waits until it answers. */
    private TomcatServer start(String test, boolean agent, Path war) throws Exception {
        TomcatDistribution.Base base = tomcat.newBase(dir.resolve(test + (agent ? "-agent" : "-no-agent")));
        base.deploy(war, "app");
        List<String> opts = new ArrayList<>();
        if (agent) {
            opts.add("-javaagent:" + ItEnvironment.agentJar() + "=debug=true");
        }
        opts.addAll(JVM_OPTIONS);
        opts.add("-D" + TomcatTestWar.EVENTS_PROPERTY + "=" + base.dir().resolve("events.log"));
        TomcatServer server = TomcatServer.start(
                tomcat + " Spring WAR " + test + (agent ? " with the agent" : " without the agent"),
                tomcat,
                base,
                opts);
        try {
            server.awaitAnswer("/app/ping", APP_TIMEOUT);
            return server;
        } catch (Throwable e) {
            server.close();
            throw e;
        }
    }

    /** Waits (bounded) until {@code path} answers 404: Tomcat removes the context after its stop. */
    private static void awaitNotFound(TomcatServer server, String path) throws Exception {
        long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
        int status;
        while ((status = server.get(path).status()) != 404) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(path + " still answers " + status + " " + EVENT_TIMEOUT.toSeconds()
                        + " s after the undeploy began\n" + server.describe());
            }
            Thread.sleep(100);
        }
    }

    /** The agent started once and no API copy fell back to standalone mode. */
    private void assertWithTheAgent(TomcatServer server, String why) {
        assertEquals(1, server.linesContaining(agentStarted).size(), "the agent started once\n" + why);
        assertEquals(List.of(), server.linesContaining(NOT_ATTACHED), "no API copy in standalone mode\n" + why);
    }

    private void figure(String what, Judged j, TomcatServer server, int exit, long startedNanos) {
        figureLine(String.format(
                "[%s, Spring Framework %s WAR] %s: %s; stop -> exit %s ms (exit code %d); test %,d ms",
                tomcat,
                springVersion,
                what,
                j.summary(),
                server.stopToExitText(),
                exit,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)));
    }

    private void figureLine(String line) {
        Figures.record(dir, line);
    }
}
