package dev.waituntil.it.request;

import static dev.waituntil.it.support.ProgramAssertions.NOT_ATTACHED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ContextPropagationWar;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Context propagation into {@code run}/{@code supply} work, on a real Tomcat 10.1 distribution with the
 * agent: a request puts values into the application's own SLF4J MDC (logback) and Log4j 2 ThreadContext
 * (log4j-core), bundled in its WAR ({@link ContextPropagationWar}); the task it starts sees them and the
 * application's class loader; the next task on the same worker ({@code -Dwaituntil.executor.threads=1})
 * sees none of it; and undeploying the WAR gives none of Tomcat's warnings about thread-locals or
 * threads left behind. Without the agent (the API's standalone mode) the task does not see the MDC:
 * the control that shows the test can fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContextPropagationIT {

    private static final Duration APP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration UNDEPLOY_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dwaituntil.executor.threads=1");
    /** Tomcat's leak checks at undeploy: a thread-local of the application's left on a thread, and a thread holding its loader. */
    private static final List<String> LEAK_WARNINGS =
            List.of("failed to remove it", "appears to have started a thread");

    private TomcatDistribution tomcat;
    private Path dir;
    private Path war;

    @BeforeAll
    void buildTheWar() throws Exception {
        tomcat = TomcatDistribution.of("tomcat10");
        dir = ItEnvironment.freshWorkDir("context-propagation");
        war = ContextPropagationWar.build(tomcat, dir.resolve("war"));
    }

    @Test
    void theRequestsMdcAndThreadContextAreSeenInTheTaskAndNotLeftOnTheWorker() throws Exception {
        try (TomcatServer server = start(true)) {
            Map<String, String> carry =
                    ContextPropagationWar.parse(server.ok("/ctx/carry?order=42").body());
            String why = carry + "\n" + server.describe();
            assertTrue(
                    carry.get("task.thread").startsWith("wait-until-worker-"),
                    "the task ran on the agent's worker\n" + why);
            assertEquals("{order=42}", carry.get("task.mdc"), "the task sees the request's MDC\n" + why);
            assertEquals("{order=42}", carry.get("task.threadContext"), "... and its ThreadContext map\n" + why);
            assertEquals("[request-42]", carry.get("task.stack"), "... and its ThreadContext stack\n" + why);
            assertEquals("webapp", carry.get("task.contextLoader"), "... with the application's class loader\n" + why);
            assertEquals("{order=42}", carry.get("caller.mdc"), "the request's own MDC is untouched\n" + why);
            assertEquals("[request-42]", carry.get("caller.stack"), "... and its stack\n" + why);

            Map<String, String> after =
                    ContextPropagationWar.parse(server.ok("/ctx/after").body());
            String why2 = after + "\n" + server.describe();
            assertEquals(carry.get("task.thread"), after.get("task.thread"), "precondition: the same worker\n" + why2);
            assertEquals("{}", after.get("task.mdc"), "no MDC left on the worker\n" + why2);
            assertEquals("{}", after.get("task.threadContext"), "no ThreadContext map left on the worker\n" + why2);
            assertEquals("[]", after.get("task.stack"), "no ThreadContext stack left on the worker\n" + why2);
            assertEquals("webapp", after.get("task.contextLoader"), why2);

            undeploy(server);
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            String out = server.describe();
            for (String warning : LEAK_WARNINGS) {
                assertEquals(List.of(), server.linesContaining(warning), "no '" + warning + "' from Tomcat\n" + out);
            }
            assertEquals(List.of(), server.linesContaining(NOT_ATTACHED), "no API copy in standalone mode\n" + out);
            assertTrue(
                    server.firstLine(l -> l.contains("Undeploying context [/ctx]"))
                            .isPresent(),
                    out);
        }
    }

    /** The control: the API's standalone mode runs the task on a thread of its own, without the MDC. */
    @Test
    void withoutTheAgentTheTaskDoesNotSeeTheMdc() throws Exception {
        try (TomcatServer server = start(false)) {
            Map<String, String> carry =
                    ContextPropagationWar.parse(server.ok("/ctx/carry?order=42").body());
            String why = carry + "\n" + server.describe();
            assertTrue(server.firstLine(l -> l.contains(NOT_ATTACHED)).isPresent(), "standalone mode\n" + why);
            assertFalse(carry.get("task.mdc").contains("order"), "the task does not see the request's MDC\n" + why);
            assertFalse(carry.get("task.threadContext").contains("order"), "... nor its ThreadContext\n" + why);
            assertEquals("{order=42}", carry.get("caller.mdc"), "precondition: the request had it\n" + why);
        }
    }

    /**
     * Deletes the WAR and waits until Tomcat has undeployed it: it deletes the expanded directory after
     * stopping the context, whose class loader's leak checks run during that stop.
     */
    private void undeploy(TomcatServer server) throws Exception {
        Path base = server.base().webapps();
        Files.delete(base.resolve("ctx.war"));
        server.awaitLine(l -> l.contains("Undeploying context [/ctx]"), UNDEPLOY_TIMEOUT);
        long deadline = System.nanoTime() + UNDEPLOY_TIMEOUT.toNanos();
        while (Files.exists(base.resolve("ctx"))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("webapps/ctx was not removed within " + UNDEPLOY_TIMEOUT.toSeconds() + " s\n"
                        + server.describe());
            }
            Thread.sleep(100);
        }
        assertEquals(404, server.get("/ctx/ping").status(), "/ctx is gone\n" + server.describe());
    }

    private TomcatServer start(boolean agent) throws Exception {
        String test = agent ? "agent" : "no-agent";
        TomcatDistribution.Base base = tomcat.newBase(dir.resolve(test));
        base.deploy(war, "ctx");
        List<String> opts = new ArrayList<>();
        if (agent) {
            opts.add("-javaagent:" + ItEnvironment.agentJar() + "=debug=true");
        }
        opts.addAll(JVM_OPTIONS);
        TomcatServer server = TomcatServer.start(tomcat + " context propagation, " + test, tomcat, base, opts);
        try {
            server.awaitAnswer("/ctx/ping", APP_TIMEOUT);
            return server;
        } catch (Throwable e) {
            server.close();
            throw e;
        }
    }
}
