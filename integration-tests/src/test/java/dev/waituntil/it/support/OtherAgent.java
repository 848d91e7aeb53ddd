package dev.waituntil.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Another vendor's Java agent that a test runs beside ours, as the build copied it ({@code -Dit.otherAgent.<id>},
 * from integration-tests/pom.xml): its jar, the options that keep it offline and quiet, how to tell its log lines
 * from the rest of a server's output, its start-up line, and the proof that it still does its work (a server span
 * or transaction for a request).
 *
 * <p>Offline: nothing of theirs may leave the machine. The OpenTelemetry agent exports spans to its logging
 * exporter; Datadog's writes traces to its log ({@code dd.writer.type=LoggingWriter}) and is pointed at port 1 for
 * everything else, with telemetry, remote configuration, profiling and JMXFetch off; the Elastic agent reports to
 * {@link Intake}, a stand-in APM server on the loopback interface that keeps what it receives, with the cloud
 * metadata look-up off (it would ask a link-local address).
 */
public enum OtherAgent {
    OPENTELEMETRY(
            "opentelemetry",
            "OpenTelemetry Java agent",
            "opentelemetry-javaagent - version: ",
            Pattern.compile("^\\[otel\\.javaagent [^\\]]*\\] \\[[^\\]]*\\] (\\S+) ")) {
        @Override
        List<String> options(Intake intake) {
            return List.of(
                    "-Dotel.service.name=it",
                    "-Dotel.traces.exporter=logging",
                    "-Dotel.metrics.exporter=none",
                    "-Dotel.logs.exporter=none");
        }

        @Override
        Optional<String> serverSpan(List<String> output, Intake intake, String path) {
            return output.stream()
                    .filter(l -> l.contains("LoggingSpanExporter - 'GET " + path + "'") && l.contains(" SERVER "))
                    .findFirst();
        }
    },

    ELASTIC(
            "elastic",
            "Elastic APM agent",
            "Starting Elastic APM ",
            Pattern.compile(
                    "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} \\[[^\\]]*\\] (\\S+)\\s+co\\.elastic\\.apm\\.")) {
        @Override
        boolean needsIntake() {
            return true;
        }

        @Override
        List<String> options(Intake intake) {
            // api_request_time: the agent streams events into one request for this long; short, so that they arrive
            // while the test waits. application_packages: without it the agent warns at start.
            return List.of(
                    "-Delastic.apm.server_url=" + intake.url(),
                    "-Delastic.apm.service_name=it",
                    "-Delastic.apm.cloud_provider=NONE",
                    "-Delastic.apm.central_config=false",
                    "-Delastic.apm.metrics_interval=0s",
                    "-Delastic.apm.api_request_time=1s",
                    "-Delastic.apm.application_packages=wt");
        }

        @Override
        Optional<String> serverSpan(List<String> output, Intake intake, String path) {
            return intake.received().stream()
                    .filter(l -> l.startsWith("{\"transaction\":") && l.contains("\"pathname\":\"" + path + "\""))
                    .findFirst();
        }
    },

    DATADOG(
            "datadog",
            "Datadog dd-java-agent",
            "DATADOG TRACER CONFIGURATION ",
            Pattern.compile("^\\[dd\\.trace [^\\]]*\\] \\[[^\\]]*\\] (\\S+) ")) {
        @Override
        List<String> options(Intake intake) {
            return List.of(
                    "-Ddd.service=it",
                    "-Ddd.writer.type=LoggingWriter",
                    "-Ddd.trace.agent.port=1",
                    "-Ddd.dogstatsd.port=1",
                    "-Ddd.instrumentation.telemetry.enabled=false",
                    "-Ddd.remote_config.enabled=false",
                    "-Ddd.profiling.enabled=false",
                    "-Ddd.jmxfetch.enabled=false");
        }

        @Override
        Optional<String> serverSpan(List<String> output, Intake intake, String path) {
            return output.stream()
                    .filter(l -> l.contains("LoggingWriter - write(trace)")
                            && l.contains("\"name\":\"servlet.request\"")
                            && l.contains("\"resource\":\"GET " + path + "\""))
                    .findFirst();
        }
    };

    private final String id;
    private final String displayName;
    private final String startedLine;
    /** Matches their own log lines; group 1 is the level. */
    private final Pattern ownLine;

    OtherAgent(String id, String displayName, String startedLine, Pattern ownLine) {
        this.id = id;
        this.displayName = displayName;
        this.startedLine = startedLine;
        this.ownLine = ownLine;
    }

    /** The agent's jar, from {@code -Dit.otherAgent.<id>}. */
    public Path jar() {
        String property = "it.otherAgent." + id;
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            throw new AssertionError("system property " + property + " is not set; run the integration tests through "
                    + "Maven failsafe (./mvnw verify), which copies the other agents first");
        }
        Path jar = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(
                    property + "=" + jar + " does not exist; the build copies it in pre-integration-test");
        }
        return jar;
    }

    /** From the jar's name, as Maven names it ({@code dd-java-agent-1.68.1.jar}). */
    public String version() {
        Matcher m = Pattern.compile("-(\\d[\\w.]*)\\.jar$")
                .matcher(jar().getFileName().toString());
        return m.find() ? m.group(1) : "?";
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return displayName;
    }

    boolean needsIntake() {
        return false;
    }

    abstract List<String> options(Intake intake);

    abstract Optional<String> serverSpan(List<String> output, Intake intake, String path);

    /** Their start-up line in {@code output}. */
    public Optional<String> startedLine(List<String> output) {
        return output.stream().filter(l -> l.contains(startedLine)).findFirst();
    }

    /** Their own log lines in {@code output} at {@code level} ({@code ERROR}, {@code WARN}). */
    public List<String> linesAtLevel(List<String> output, String level) {
        List<String> found = new ArrayList<>();
        for (String line : output) {
            Matcher m = ownLine.matcher(line);
            if (m.find() && m.group(1).equals(level)) {
                found.add(line);
            }
        }
        return found;
    }

    /**
     * Gets the agent ready for one server run: the stand-in APM server where it needs one. The result gives the
     * {@code -javaagent} option and the agent's own options, and is closed after the run.
     */
    public Beside prepare() throws IOException {
        return new Beside(this, needsIntake() ? Intake.start() : null);
    }

    /** The agent as one server run has it. */
    public static final class Beside implements AutoCloseable {
        private final OtherAgent agent;
        private final Intake intake;

        private Beside(OtherAgent agent, Intake intake) {
            this.agent = agent;
            this.intake = intake;
        }

        public String javaagent() {
            return "-javaagent:" + agent.jar();
        }

        /** Their options, each without spaces (catalina.sh splits CATALINA_OPTS on them). */
        public List<String> options() {
            return agent.options(intake);
        }

        /**
         * Waits (bounded) until the agent has reported a server span or transaction for a {@code GET} of {@code path}
         * (with the context path); returns what shows it: their log line, or the event the stand-in server received.
         */
        public String awaitServerSpan(TomcatServer server, String path, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<String> seen = agent.serverSpan(server.texts(), intake, path);
                if (seen.isPresent()) {
                    return seen.get();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(agent + " reported no server span for GET " + path + " within "
                            + timeout.toSeconds() + " s"
                            + (intake == null
                                    ? ""
                                    : "; the stand-in APM server received:\n" + String.join("\n", intake.received()))
                            + "\n" + server.describe());
                }
                Thread.sleep(100);
            }
        }

        @Override
        public void close() {
            if (intake != null) {
                intake.close();
            }
        }
    }

    /**
     * A stand-in for the Elastic APM server on 127.0.0.1: answers the agent's health check with a version and takes
     * the intake stream ({@code POST /intake/v2/events}, newline-delimited JSON, compressed or not), keeping every
     * line as it arrives. Anything else gets 404.
     */
    static final class Intake implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads;
        private final List<String> received = Collections.synchronizedList(new ArrayList<>());

        private Intake(HttpServer server, ExecutorService threads) {
            this.server = server;
            this.threads = threads;
        }

        static Intake start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            // An intake request stays open while the agent streams into it: one thread per exchange.
            ExecutorService threads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "stand-in APM server");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(threads);
            Intake intake = new Intake(server, threads);
            server.createContext("/", intake::handle);
            server.start();
            return intake;
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        List<String> received() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (exchange.getRequestMethod().equals("GET") && path.equals("/")) {
                    byte[] body = "{\"version\":\"8.15.0\"}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } else if (exchange.getRequestMethod().equals("POST") && path.equals("/intake/v2/events")) {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(decoded(exchange), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            received.add(line);
                        }
                    }
                    exchange.sendResponseHeaders(202, -1);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        }

        private static InputStream decoded(HttpExchange exchange) throws IOException {
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(encoding)) {
                return new GZIPInputStream(body);
            }
            return "deflate".equalsIgnoreCase(encoding) ? new InflaterInputStream(body) : body;
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
