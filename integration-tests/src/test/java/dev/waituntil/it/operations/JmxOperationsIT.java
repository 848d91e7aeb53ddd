package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import dev.waituntil.it.support.TomcatTestWar;
import dev.waituntil.it.support.TomcatTestWar.Event;
import dev.waituntil.it.support.TomcatTestWar.Events;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's view on a real Tomcat 10.1 distribution started with {@code -javaagent}: the MBean
 * {@code dev.waituntil:type=WaitUntil} read through a remote JMX connection, as jconsole or a monitoring
 * agent reads it, and the commands {@code java -jar wait-until-agent.jar <pid> status|tasks|drain}, which
 * reach the same MBean through the attach API and the JVM's local connector.
 *
 * <p>One server for the class, with the test WAR deployed as {@code /app} and {@code /other} and
 * {@code -Dwaituntil.drain.timeout=4s}. The tests run in order and build on each other: the drains
 * change the server for good (a drained application rejects new tasks), so they come last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JmxOperationsIT {

    private static final Duration APP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DRAIN_TIMEOUT = "4s";

    private TomcatServer server;
    private JMXConnector jmx;
    private MBeanServerConnection mbeans;
    private ObjectName name;
    private String pid;

    @BeforeAll
    void startTomcatWithTheAgentAndARemoteJmxPort() throws Exception {
        TomcatDistribution tomcat = TomcatDistribution.of("tomcat10");
        Path dir = ItEnvironment.freshWorkDir("jmx-operations");
        Path war = TomcatTestWar.build(tomcat, dir.resolve("war"));
        TomcatDistribution.Base base = tomcat.newBase(dir.resolve("base"));
        base.deploy(war, "app");
        base.deploy(war, "other");
        int jmxPort = freePort();
        server = TomcatServer.start(
                tomcat + " with the agent and JMX",
                tomcat,
                base,
                List.of(
                        "-javaagent:" + ItEnvironment.agentJar() + "=debug=true",
                        "-Xms32m",
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Dwaituntil.executor.threads=16",
                        "-Dwaituntil.drain.timeout=" + DRAIN_TIMEOUT,
                        "-D" + TomcatTestWar.EVENTS_PROPERTY + "=" + base.dir().resolve("events.log"),
                        // The remote connector as an operator opens it for jconsole; the commands use the local one.
                        "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                        "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                        "-Dcom.sun.management.jmxremote.authenticate=false",
                        "-Dcom.sun.management.jmxremote.ssl=false",
                        "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                        "-Djava.rmi.server.hostname=127.0.0.1"));
        server.awaitAnswer("/app/ping", APP_TIMEOUT);
        server.awaitAnswer("/other/ping", APP_TIMEOUT);
        pid = Long.toString(server.pid());
        jmx = JMXConnectorFactory.connect(
                new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
        mbeans = jmx.getMBeanServerConnection();
        name = new ObjectName("dev.waituntil:type=WaitUntil");
        // Registered from a background thread at start; it is there within moments.
        await(this::isRegistered, "the MBean " + name + " is registered");
    }

    @AfterAll
    void stop() throws IOException {
        if (jmx != null) {
            jmx.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ===================================================================================== JMX

    /**
     * The counters move as requests register tasks; {@code Pending} and {@code OldestPendingMillis}
     * follow a long task; {@code listPendingTasks} names it with its request and its application.
     */
    @Test
    @Order(1)
    void theMBeanReadThroughARemoteJmxConnectionFollowsTheTasks() throws Exception {
        long registered = (Long) attribute("Registered");
        long completed = (Long) attribute("Completed");
        for (int i = 1; i <= 3; i++) {
            server.ok("/app/work?label=quick-" + i + "&ms=0");
        }
        assertEquals(registered + 3, attribute("Registered"), "three registrations counted\n" + server.describe());
        await(() -> (Long) attribute("Completed") == completed + 3, "three completions counted");
        assertEquals(0, attribute("Pending"), "nothing pending between the tests");
        assertEquals(0L, attribute("OldestPendingMillis"), "0 when nothing is pending");

        long beforeTheRequest = System.nanoTime();
        server.ok("/app/work?label=long-report&ms=3000");
        Thread.sleep(300);
        assertEquals(1, attribute("Pending"));
        long oldest = (Long) attribute("OldestPendingMillis");
        long sinceTheRequest = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeTheRequest);
        // Milliseconds: at least the 300 slept, at most the time since just before the request that registered it
        // (the server's System.nanoTime is the same monotonic clock of this machine).
        assertTrue(
                oldest >= 300 && oldest <= sinceTheRequest,
                "the long task's age: " + oldest + " ms, registered less " + "than " + sinceTheRequest + " ms ago");
        Thread.sleep(200);
        assertTrue((Long) attribute("OldestPendingMillis") >= oldest + 200, "and it grows");

        CompositeData[] tasks = (CompositeData[]) mbeans.invoke(name, "listPendingTasks", new Object[0], new String[0]);
        assertEquals(1, tasks.length, describe(tasks));
        assertEquals(
                "long-report | GET /app/work | /app",
                tasks[0].get("label") + " | " + tasks[0].get("request") + " | " + tasks[0].get("application"));
        assertTrue((Long) tasks[0].get("ageMillis") >= 500, describe(tasks));

        Map<String, CompositeData> apps = applications();
        assertEquals(1, apps.get("/app").get("pending"), apps.toString());
        assertEquals(false, apps.get("/app").get("drained"));
        assertEquals(false, attribute("ShuttingDown"));
        assertTrue(
                ((String) attribute("Settings")).startsWith("drain.timeout=" + DRAIN_TIMEOUT + " (system property)"),
                (String) attribute("Settings"));
        assertEquals(ItEnvironment.agentVersion(), attribute("Version"));
        assertTrue(
                server.firstLine(l -> l.contains(
                                "MBean dev.waituntil:type=WaitUntil registered in the platform MBean" + " server"))
                        .isPresent(),
                "with debug=true the registration is logged\n" + server.describe());
    }

    // ===================================================================================== status, tasks

    /** {@code status} and {@code tasks} print what the MBean says. */
    @Test
    @Order(2)
    void statusAndTasksPrintWhatTheMBeanSays() throws Exception {
        server.ok("/other/stuck?label=never-ends");
        server.ok("/app/work?label=cli-task&ms=4000");
        Thread.sleep(100);

        JavaProcess status = command("status");
        assertEquals(0, exit(status), status.describe());
        Map<String, String> printed = new HashMap<>();
        String lastKey = null;
        for (String line : status.texts()) {
            if (line.startsWith(" ")) {
                printed.merge(lastKey, "\n" + line.trim(), String::concat);
            } else if (line.contains("  ")) {
                lastKey = line.substring(0, line.indexOf(' '));
                printed.put(lastKey, line.substring(lastKey.length()).trim());
            }
        }
        String why = status.describe();
        assertEquals("wait-until in JVM " + pid, status.texts().get(0), why);
        for (String counter :
                new String[] {"Registered", "Failed", "Rejected", "Version", "Settings", "ShuttingDown"}) {
            assertEquals(
                    String.valueOf(attribute(counter)), printed.get(counter), counter + " as the MBean says\n" + why);
        }
        int pending = Integer.parseInt(printed.get("Pending"));
        assertTrue(pending >= 2 && pending <= 3, "never-ends, cli-task and maybe still long-report\n" + why);
        assertTrue(Long.parseLong(printed.get("OldestPendingMillis")) >= 100, why);
        assertTrue(printed.get("Applications").contains("/other: 1 pending, 0 request(s) in flight"), why);
        assertTrue(printed.get("Applications").matches("(?s).*/app: [12] pending, 0 request\\(s\\) in flight.*"), why);

        JavaProcess tasks = command("tasks");
        assertEquals(0, exit(tasks), tasks.describe());
        why = tasks.describe();
        assertTrue(
                tasks.texts().stream()
                        .anyMatch(l -> l.matches(
                                "'never-ends' \\(age \\d+ ms, request GET /other/stuck, application /other\\)")),
                why);
        assertTrue(
                tasks.texts().stream()
                        .anyMatch(l ->
                                l.matches("'cli-task' \\(age \\d+ ms, request GET /app/work, application /app\\)")),
                why);
        List<String> listed = tasks.texts().stream()
                .filter(l -> l.startsWith("'"))
                .map(l -> l.substring(1, l.indexOf("' (age")))
                .collect(Collectors.toList());
        assertTrue(listed.indexOf("never-ends") < listed.indexOf("cli-task"), "oldest first\n" + why);
        List<String> viaJmx = new ArrayList<>();
        for (CompositeData t :
                (CompositeData[]) mbeans.invoke(name, "listPendingTasks", new Object[0], new String[0])) {
            viaJmx.add((String) t.get("label"));
        }
        assertTrue(
                viaJmx.containsAll(List.of("never-ends", "cli-task")) && listed.containsAll(viaJmx),
                "the same tasks as the MBean lists: " + viaJmx + "\n" + why);
    }

    // ===================================================================================== errors

    /** The commands name the problem and the fix, without touching the server. */
    @Test
    @Order(3)
    void clearErrorsForAnUnknownApplicationAJvmWithoutTheAgentAndAMissingProcess() throws Exception {
        JavaProcess unknown = command("drain", "/shpo");
        assertEquals(2, exit(unknown), unknown.describe());
        assertTrue(
                unknown.firstLineContaining("no application named '/shpo' in this JVM; known: /app, /other")
                                .isPresent()
                        || unknown.firstLineContaining("known: /other, /app").isPresent(),
                unknown.describe());
        assertEquals(false, applications().get("/app").get("drained"), "nothing was drained");

        // This test's own JVM runs without the agent.
        String self = Long.toString(ProcessHandle.current().pid());
        try (JavaProcess noAgent = JavaProcess.builder("status of a JVM without the agent")
                .executableJar(ItEnvironment.agentJar(), self, "status")
                .start()) {
            assertEquals(1, exit(noAgent), noAgent.describe());
            assertTrue(
                    noAgent.firstLineContaining("JVM " + self + " does not run the wait-until agent (it has no MBean"
                                    + " dev.waituntil:type=WaitUntil). Load it first: java -jar wait-until-agent.jar "
                                    + self)
                            .isPresent(),
                    noAgent.describe());
        }

        String missing = "2147483646";
        try (JavaProcess gone = JavaProcess.builder("status of no process")
                .executableJar(ItEnvironment.agentJar(), missing, "status")
                .start()) {
            assertEquals(1, exit(gone), gone.describe());
            assertTrue(
                    gone.firstLineContaining("there is no process " + missing).isPresent(), gone.describe());
        }
    }

    // ===================================================================================== drain

    /**
     * {@code drain /app} waits for /app's tasks and exits 0; from then on /app rejects new tasks (503
     * from the test application) while /other still accepts them.
     */
    @Test
    @Order(4)
    void drainOfOneApplicationWaitsForItsTasksThenItRejectsNewOnesWhileTheOtherGoesOn() throws Exception {
        server.ok("/app/work?label=drain-me&ms=3000");
        long rejected = (Long) attribute("Rejected");

        JavaProcess drain = command("drain", "/app");
        int exit = exit(drain);
        long exitedAt = drain.exitWallMillis().orElseThrow();
        Events events = events();
        String why = drain.describe() + "\n" + events.describe();

        assertEquals(0, exit, "every task finished: exit 0\n" + why);
        assertTrue(
                drain.firstLine(l -> l.startsWith("OK: drain of application /app for an operator (JMX): ")
                                && l.contains("all tasks finished"))
                        .isPresent(),
                why);
        Optional<Event> done = events.first("DONE", "drain-me");
        assertTrue(done.isPresent(), "the task finished\n" + why);
        assertTrue(
                done.get().millis() <= exitedAt,
                "the command returned only after the task had finished ("
                        + done.get().millis() + " <= " + exitedAt + ")\n" + why);
        assertTrue(
                done.get().millis() > drain.startWallMillis(), "the task was pending when the command started\n" + why);
        assertTrue(events.first("DONE", "cli-task").isPresent(), "so did /app's other task\n" + why);
        assertTrue(events.first("INTERRUPTED", "never-ends").isEmpty(), "/other's task is not touched\n" + why);

        TomcatServer.Response refused = server.get("/app/work?label=after-drain&ms=10");
        assertEquals(503, refused.status(), refused.toString());
        assertTrue(
                refused.body().contains("rejected after-drain")
                        && refused.body().contains("application /app has been" + " drained"),
                refused.body());
        assertEquals(
                200, server.get("/other/work?label=other-after-drain&ms=10").status());
        assertEquals(rejected + 1, attribute("Rejected"));
        assertEquals(true, applications().get("/app").get("drained"));
        assertEquals(false, applications().get("/other").get("drained"));
        assertTrue(
                server.firstLine(l -> l.contains("an operator (JMX) drains application /app"))
                        .isPresent(),
                server.describe());
    }

    /**
     * {@code drain} with a task that never ends: at the 4 s deadline the report names it, it is
     * cancelled (interrupted), and the command exits 1.
     */
    @Test
    @Order(5)
    void drainOfEverythingWithAStuckTaskNamesItAndExitsOne() throws Exception {
        JavaProcess drain = command("drain");
        int exit = exit(drain);
        String why = drain.describe() + "\n" + events().describe();

        assertEquals(1, exit, "a task was left: exit 1\n" + why);
        Optional<JavaProcess.Line> report =
                drain.firstLine(l -> l.startsWith("TIMED OUT: drain of the JVM for an operator" + " (JMX): "));
        assertTrue(report.isPresent(), why);
        assertTrue(
                report.get()
                        .text()
                        .matches(".*: \\d+ ms, 1 still pending: 'never-ends' \\(age \\d+ ms, request GET"
                                + " /other/stuck \\(request \\d+\\), application /other\\); cancelled: 1\\..*"),
                report.get().text());
        long waited = Long.parseLong(report.get().text().replaceFirst(".*\\(JMX\\): (\\d+) ms.*", "$1"));
        // Not before the deadline; and bounded by it, where the stuck task would hold the drain forever (30 s past the
        // deadline tells the two apart on any machine).
        assertTrue(waited >= 3900, "waited for the " + DRAIN_TIMEOUT + " deadline: " + waited + " ms");
        assertTrue(waited < 4000 + 30_000, "returned at the " + DRAIN_TIMEOUT + " deadline: " + waited + " ms");
        awaitEvent("INTERRUPTED", "never-ends");
        assertEquals(503, server.get("/other/work?label=after-drain-all&ms=10").status());
        assertTrue(
                server.firstLine(l ->
                                l.contains("drain of the JVM for an operator (JMX)") && l.contains("still pending"))
                        .isPresent(),
                server.describe());
    }

    // ===================================================================================== helpers

    /** Waits for a command; its output goes to this test's output too, for the record. */
    private static int exit(JavaProcess command) throws InterruptedException {
        int exit = command.waitFor(COMMAND_TIMEOUT);
        System.out.println(command.describe());
        return exit;
    }

    private JavaProcess command(String... args) throws IOException {
        String[] all = new String[args.length + 1];
        all[0] = pid;
        System.arraycopy(args, 0, all, 1, args.length);
        return JavaProcess.builder("wait-until " + String.join(" ", args))
                .executableJar(ItEnvironment.agentJar(), all)
                .start();
    }

    private Object attribute(String attribute) throws Exception {
        return mbeans.getAttribute(name, attribute);
    }

    private boolean isRegistered() throws IOException {
        return mbeans.isRegistered(name);
    }

    private Map<String, CompositeData> applications() throws Exception {
        Map<String, CompositeData> byName = new HashMap<>();
        for (CompositeData a : (CompositeData[]) attribute("Applications")) {
            byName.put((String) a.get("name"), a);
        }
        return byName;
    }

    private static String describe(CompositeData[] tasks) {
        StringBuilder b = new StringBuilder("pending tasks:");
        for (CompositeData t : tasks) {
            b.append("\n  ")
                    .append(t.get("label"))
                    .append(" | ")
                    .append(t.get("ageMillis"))
                    .append(" ms | ")
                    .append(t.get("request"))
                    .append(" | ")
                    .append(t.get("application"))
                    .append(" | ")
                    .append(t.get("id"));
        }
        return b.toString();
    }

    private Events events() throws IOException {
        return Events.read(server.base().dir().resolve("events.log"));
    }

    private void awaitEvent(String kind, String subject) throws Exception {
        await(() -> events().first(kind, subject).isPresent(), "the event " + kind + " " + subject);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + WAIT.toSeconds() + " s\n" + server.describe());
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
