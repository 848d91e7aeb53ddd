package dev.waituntil.it.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.HttpClients;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The acceptance test of wait-until-spring-boot-starter: a Spring Boot application with the starter, the actuator and
 * the Prometheus registry ({@code integration-tests-apps/spring-boot-starter-apps}, the same classes and the same
 * {@code application.properties} on Spring Boot 3.5 and on 4.0, and on 4.1 under the {@code latest} profile, which
 * builds all three with the newest release of their line), run as a real process ({@code java -jar}), once with
 * {@code -javaagent:wait-until-agent.jar} and once without (standalone mode). One start each, every check on it:
 *
 * <ul>
 *   <li>two held tasks: {@code GET /actuator/waituntil} lists both labels and a pending count of 2, and the Prometheus
 *       pending gauge {@code waituntil_tasks_pending} sums to 2 over its {@code application} tags;
 *   <li>a failing task ({@code WaitUntil.run} of work that throws): {@code waituntil_tasks_total{outcome="failed"}}
 *       reaches 1;
 *   <li>{@code waituntil.drain.timeout=7s} and {@code waituntil.task.warn-after=1s} (relaxed name) from
 *       {@code application.properties}: the starter's settings line shows them; with the agent, the watchdog warns
 *       about a held task (the default warnAfter is 15 m: the control is the default, which no test run can reach),
 *       and at SIGTERM with a task held for good the drain's deadline is 7 s away (the default is 30 s) and it gives
 *       up naming the task; the JVM exits. Without the agent, the JVM shutdown hook gives up on that task and the
 *       JVM is gone well before the default 30 s;
 *   <li>nothing of ours at WARN or ERROR but what is expected (the watchdog's warning, the failed task, the drain's
 *       give-up, standalone mode's start-up line), and every HTTP answer the expected 200 or 202.
 * </ul>
 *
 * <p>Without the agent the settings line is there too, and the endpoint and the meters work, but {@code task.*}
 * settings have no effect: no watchdog warning for a task held more than 7 s (the agent is what watches tasks).
 */
abstract class SpringBootStarterTests {

    /** The settings line the starter logs once at start. */
    private static final String SETTINGS_LINE = "wait-until: settings in force:";

    private static final String WATCHDOG_WARNING = "has run longer than waituntil.task.warnAfter=1s";
    /** Drainer's give-up, one line per task left: "drain of X timed out after 6999ms; task 'label' (...) is still pending". */
    private static final String DRAIN_GAVE_UP = "timed out after";
    /** The standalone drain's give-up (StandaloneBackend): "drain timed out; task 'label' still pending after N ms". */
    private static final String STANDALONE_DRAIN_GAVE_UP = "wait-until: drain timed out; task ";
    /** Between the 7 s of application.properties and the default 30 s, far from both. */
    private static final Duration STANDALONE_EXIT_BOUND = Duration.ofSeconds(25);

    /** Drainer's first line with debug=true: "draining X for Y: N task(s) pending, M request(s) in flight, 6998ms left". */
    private static final Pattern DRAINING =
            Pattern.compile("wait-until: draining .* request\\(s\\) in flight, (\\S+) left");

    /** The pending gauge in Prometheus' text. */
    private static final Set<String> PENDING_GAUGE = Set.of("waituntil_tasks_pending");
    /** The outcome counter in Prometheus' text. */
    private static final Set<String> TASKS_COUNTER = Set.of("waituntil_tasks_total");

    private static final Pattern STARTED_ON_PORT = Pattern.compile("Tomcat started on port(?:\\(s\\))?:? (\\d+)");
    /** A Prometheus text-format sample: {@code name{labels} value}. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\}\\s+(\\S+)");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Bound for what the application does on its own (a meter catching up, the watchdog's warning). */
    private static final Duration BOUND = Duration.ofSeconds(45);
    /** Bound on the stop: the drain gives up after 7 s; Spring's own phases are short here. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    private static final List<String> JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** {@code 3}, {@code 4}, {@code 41}: the jar's property is {@code it.springBootStarter<jarId>.app}. */
    private final String jarId;
    /** {@code 3.5}, {@code 4.0}, {@code 4.1}: for messages. */
    private final String line;

    private final HttpClient http = HttpClients.http11();

    /**
     * @param jar  which jar: {@code it.springBootStarter<jar>.app}, {@code 3} (Spring Boot 3.5), {@code 4} (4.0) or
     *             {@code 41} (4.1, which only the {@code latest} profile builds)
     * @param line the Spring Boot line the jar was built with, for messages
     */
    SpringBootStarterTests(String jar, String line) {
        this.jarId = jar;
        this.line = line;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void withTheAgent() throws Exception {
        try (App app = start(true)) {
            String settings =
                    app.process.awaitLine(s -> s.contains(SETTINGS_LINE), BOUND).text();
            assertTrue(
                    settings.contains("drain.timeout=7s (application settings)"),
                    "the settings line shows waituntil.drain.timeout from application.properties: " + settings);
            assertTrue(
                    Pattern.compile("task\\.warn-?[aA]fter=1s \\(application settings\\)")
                            .matcher(settings)
                            .find(),
                    "the settings line shows waituntil.task.warn-after from application.properties: " + settings);

            app.post("/hold?label=held-a", 202);
            app.post("/hold?label=held-b", 202);
            checkTwoPending(app, true);

            // warnAfter is 15 m unless application.properties (1s) took effect.
            JavaProcess.Line warning = app.process.awaitLine(
                    s -> s.contains(WATCHDOG_WARNING) && (s.contains("held-a") || s.contains("held-b")), BOUND);
            System.out.println("[" + this + "] the watchdog's warning: " + warning.text());

            checkFailedCounter(app);

            app.post("/release?label=held-a", 200);
            app.post("/release?label=held-b", 200);
            awaitSample(app, PENDING_GAUGE, Map.of(), v -> v == 0, "no task pending after the releases");

            // Held for good: the drain at SIGTERM must give up on it at the deadline of application.properties.
            app.post("/hold?label=held-at-stop", 202);
            app.process.sigterm();
            app.process.waitFor(EXIT_TIMEOUT);

            List<String> draining = app.process.texts().stream()
                    .map(DRAINING::matcher)
                    .filter(Matcher::find)
                    .map(m -> m.group(1))
                    .collect(Collectors.toList());
            assertTrue(!draining.isEmpty(), "the drain's first line (debug=true)\n" + app.process.describe());
            for (String left : draining) {
                // The stop's one deadline is drain.timeout from its start: 7 s, never the default 30 s.
                assertTrue(
                        millis(left) <= 7_000,
                        "the drain's deadline is at most 7 s away (waituntil.drain.timeout=7s), not the default 30 s: "
                                + left + " left\n" + app.process.describe());
            }
            List<String> gaveUp = app.process.linesContaining(DRAIN_GAVE_UP).stream()
                    .filter(s -> s.contains("held-at-stop"))
                    .collect(Collectors.toList());
            assertTrue(!gaveUp.isEmpty(), "the drain gave up naming held-at-stop\n" + app.process.describe());
            System.out.println("[" + this + "] the drain: " + draining + " left; " + gaveUp);

            assertOnlyExpectedWarnings(
                    app.process, List.of(WATCHDOG_WARNING, "wait-until: task 'failing' (", DRAIN_GAVE_UP));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void standalone() throws Exception {
        try (App app = start(false)) {
            String settings =
                    app.process.awaitLine(s -> s.contains(SETTINGS_LINE), BOUND).text();
            assertTrue(
                    settings.contains("drain.timeout=7s"),
                    "the settings line shows waituntil.drain.timeout from application.properties: " + settings);

            app.post("/hold?label=held-a", 202);
            app.post("/hold?label=held-b", 202);
            checkTwoPending(app, false);
            checkFailedCounter(app);

            app.post("/release?label=held-a", 200);
            app.post("/release?label=held-b", 200);
            awaitSample(app, PENDING_GAUGE, Map.of(), v -> v == 0, "no task pending after the releases");

            // Standalone mode reads drain.timeout too: its JVM shutdown hook gives up on a task held for good after
            // 7 s. Only a bound far from both: with the default (30 s) the exit would come after 30 s.
            app.post("/hold?label=held-at-stop", 202);
            long sigterm = System.nanoTime();
            app.process.sigterm();
            app.process.waitFor(EXIT_TIMEOUT);
            long stopMillis =
                    TimeUnit.NANOSECONDS.toMillis(app.process.exitNanos().orElseThrow() - sigterm);
            List<String> gaveUp = app.process.linesContaining(STANDALONE_DRAIN_GAVE_UP + "'held-at-stop'");
            assertTrue(
                    !gaveUp.isEmpty(), "the standalone drain gave up naming held-at-stop\n" + app.process.describe());
            assertTrue(
                    stopMillis < STANDALONE_EXIT_BOUND.toMillis(),
                    "the JVM exits after the 7 s of waituntil.drain.timeout, not after the default 30 s: " + stopMillis
                            + " ms\n" + app.process.describe());
            System.out.println("[" + this + "] standalone: exit " + stopMillis + " ms after SIGTERM; " + gaveUp);
            assertTrue(
                    app.process.linesContaining(WATCHDOG_WARNING).isEmpty(),
                    "no watchdog without the agent, though held-at-stop was held 7 s\n" + app.process.describe());

            assertOnlyExpectedWarnings(
                    app.process,
                    List.of(
                            // the API's line at its start in standalone mode
                            "the agent is not attached to this JVM",
                            "wait-until: task 'failing' failed",
                            STANDALONE_DRAIN_GAVE_UP,
                            "wait-until: 1 task(s) still pending when the JVM exits"));
        }
    }

    /** {@code held-a} and {@code held-b} pending: in the endpoint's answer and in the Prometheus gauge. */
    private void checkTwoPending(App app, boolean agent) throws Exception {
        String json = app.get("/actuator/waituntil", 200);
        System.out.println("[" + this + "] GET /actuator/waituntil: " + json);
        assertTrue(json.contains("\"agent\":" + agent), "the endpoint says whether the agent is on: " + json);
        assertTrue(
                json.contains("\"held-a\"") && json.contains("\"held-b\""),
                "the endpoint lists both held tasks by label: " + json);
        assertTrue(
                Pattern.compile("\"pending\"\\s*:\\s*2[,}]").matcher(json).find(),
                "the endpoint's pending count is 2: " + json);

        String prometheus = app.get("/actuator/prometheus", 200);
        System.out.println("[" + this + "] our samples in GET /actuator/prometheus:\n"
                + prometheus.lines().filter(l -> l.startsWith("waituntil_")).collect(Collectors.joining("\n")));
        Map<String, Double> pending = samples(prometheus, PENDING_GAUGE, Map.of());
        System.out.println("[" + this + "] " + PENDING_GAUGE + ": " + pending);
        assertEquals(
                2.0,
                pending.values().stream().mapToDouble(Double::doubleValue).sum(),
                "the pending gauge over every application: " + pending);
    }

    /** {@code POST /fail}: the failed counter reaches 1, bounded (the task ends on another thread). */
    private void checkFailedCounter(App app) throws Exception {
        app.post("/fail?label=failing", 202);
        Map<String, Double> failed =
                awaitSample(app, TASKS_COUNTER, Map.of("outcome", "failed"), v -> v >= 1, "a failed task");
        System.out.println("[" + this + "] waituntil_tasks_total{outcome=\"failed\"}: " + failed);
    }

    /**
     * Waits (bounded) until the sum of the samples named one of {@code names} with {@code labels} passes {@code condition}.
     *
     * @return the samples by their label text
     */
    private Map<String, Double> awaitSample(
            App app,
            Set<String> names,
            Map<String, String> labels,
            java.util.function.DoublePredicate condition,
            String what)
            throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            String text = app.get("/actuator/prometheus", 200);
            Map<String, Double> found = samples(text, names, labels);
            if (condition.test(
                    found.values().stream().mapToDouble(Double::doubleValue).sum())) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + BOUND.toSeconds() + " s: " + what + "; " + names + labels
                        + " is " + found + "\n---- prometheus\n" + text + "\n" + app.process.describe());
            }
            Thread.sleep(200);
        }
    }

    /** The samples named one of {@code names} whose labels include {@code labels}, by their label text. */
    static Map<String, Double> samples(String prometheus, Set<String> names, Map<String, String> labels) {
        Map<String, Double> found = new TreeMap<>();
        for (String line : prometheus.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !names.contains(m.group(1))) {
                continue;
            }
            String labelText = m.group(2);
            boolean all = labels.entrySet().stream()
                    .allMatch(e -> labelText.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (all) {
                found.put(labelText, Double.parseDouble(m.group(3)));
            }
        }
        return found;
    }

    /** Every line of ours (naming wait-until) at WARN or ERROR level contains one of {@code expected}. */
    private static void assertOnlyExpectedWarnings(JavaProcess process, List<String> expected) {
        Pattern level = Pattern.compile("\\b(WARN|WARNING|ERROR|SEVERE)\\b");
        List<String> unexpected = new ArrayList<>();
        for (String line : process.texts()) {
            boolean ours = line.contains("wait-until") || line.contains("dev.waituntil");
            if (ours && level.matcher(line).find() && expected.stream().noneMatch(line::contains)) {
                unexpected.add(line);
            }
        }
        assertTrue(unexpected.isEmpty(), "unexpected warnings of ours: " + unexpected + "\n" + process.describe());
    }

    /** {@code 7s}, {@code 6998ms}, {@code 1m}, {@code 0} (the agent's way to write a duration) in milliseconds. */
    static long millis(String duration) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(duration);
        if (!m.matches()) {
            throw new AssertionError("not a duration: " + duration);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        switch (unit) {
            case "h":
                return n * 3_600_000;
            case "m":
                return n * 60_000;
            case "s":
                return n * 1000;
            default:
                return n;
        }
    }

    private App start(boolean agent) throws IOException, InterruptedException {
        String property = "it.springBootStarter" + jarId + ".app";
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            throw new AssertionError("system property " + property + " is not set; run the integration tests "
                    + "through Maven failsafe (./mvnw verify)");
        }
        Path jar = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(property + "=" + jar + " does not exist; build it first (./mvnw verify from the "
                    + "root builds integration-tests-apps/spring-boot-starter-apps before the integration tests; with "
                    + "-Platest, integration-tests builds it under target/latest-spring-boot)");
        }
        String name = "spring-boot-" + jarId + "-starter-app" + (agent ? "" : "-standalone");
        JavaProcess.Builder builder = JavaProcess.builder(name).directory(ItEnvironment.freshWorkDir(name));
        if (agent) {
            builder.javaAgent(ItEnvironment.agentJar(), "debug=true");
        }
        JVM_OPTIONS.forEach(builder::jvmOption);
        builder.executableJar(jar, "--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off");
        App app = new App(builder.start(), http);
        try {
            Matcher m = STARTED_ON_PORT.matcher(app.process
                    .awaitLine(s -> STARTED_ON_PORT.matcher(s).find(), START_TIMEOUT)
                    .text());
            if (!m.find()) {
                throw new AssertionError("no port\n" + app.process.describe());
            }
            app.port = Integer.parseInt(m.group(1));
            String ready = app.process
                    .awaitLine(s -> s.contains("it-app | ready;"), START_TIMEOUT)
                    .text();
            assertTrue(
                    ready.endsWith("agent active: " + agent),
                    "the application sees the agent " + (agent ? "" : "not ") + "attached: " + ready);
        } catch (AssertionError | RuntimeException | InterruptedException e) {
            app.close();
            throw e;
        }
        return app;
    }

    @Override
    public String toString() {
        return "Spring Boot " + line + " with the starter";
    }

    /** The running application: its process and its port. */
    private static final class App implements AutoCloseable {
        final JavaProcess process;
        final HttpClient http;
        int port = -1;

        App(JavaProcess process, HttpClient http) {
            this.process = process;
            this.http = http;
        }

        String post(String pathAndQuery, int expected) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(uri(pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()), expected);
        }

        String get(String pathAndQuery, int expected) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET(), expected);
        }

        private URI uri(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + port + pathAndQuery);
        }

        private String send(HttpRequest.Builder request, int expected) throws IOException, InterruptedException {
            HttpRequest r = request.timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != expected) {
                throw new AssertionError(r.method() + " " + r.uri() + " answered " + response.statusCode() + " "
                        + response.body() + ", expected " + expected + "\n" + process.describe());
            }
            return response.body();
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
