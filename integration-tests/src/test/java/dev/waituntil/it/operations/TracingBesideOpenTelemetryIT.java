package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.OtherAgent;
import dev.waituntil.it.support.ProgramAssertions;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import dev.waituntil.it.support.TracingWar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tracing beside the OpenTelemetry Java agent: work started with {@code run}/{@code supply} and captured work run in
 * the trace of the request that started them. On the standalone Tomcat 10.1 distribution with OpenTelemetry's logging
 * exporter, a WAR ({@link TracingWar}) whose endpoints each hand the same task to another thread and wait for it: an
 * HTTP {@code GET} through {@code HttpURLConnection} to {@code /target} of the same server. For {@code /run},
 * {@code /supply}, {@code /pool} ({@code submit} to the application's own pool), {@code /execute} (a lambda given to
 * that pool's {@code execute}) and {@code /async} ({@code CompletableFuture.supplyAsync}), the CLIENT span of that
 * call, and the SERVER span of the {@code /target} request it leads to, must have the trace id of the SERVER span of
 * the request that handed the task over. Ours listed after theirs, before theirs, and attached to the running server.
 *
 * <p>Two controls. {@code /thread}, a {@code new Thread(...)} started in the request, which OpenTelemetry does not
 * follow: its CLIENT span starts a trace of its own, so the comparison can fail. And a run with OpenTelemetry told
 * not to instrument our classes, where the tasks that pass through our task objects lose the trace: the test sees it
 * when ours hides a task from theirs.
 *
 * <p>OpenTelemetry alone follows every one of these hand-overs too (the fourth run): its executors instrumentation
 * carries the context through every JDK executor, and without our agent {@code run}/{@code supply} work goes to the
 * API's own standalone pool, a JDK {@code ThreadPoolExecutor} given a {@code FutureTask}. So our agent adds no
 * tracing of its own here; the point is that it does not break theirs. With ours, OpenTelemetry attaches the
 * request's context to our task objects (the {@code run}/{@code supply} task, and {@code CapturedRunnable} where our
 * advice runs before theirs and puts it in place of the application's lambda) and makes it current in their
 * {@code run}, which it instruments as it does every {@code Runnable} class.
 *
 * <p>Figures are printed and appended to {@code target/it-work/tracing/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingBesideOpenTelemetryIT {

    /** Which agents run, and in what order on the command line. */
    enum Setup {
        THEIRS_FIRST("theirs first"),
        OURS_FIRST("ours first"),
        OURS_ATTACHED("ours attached later"),
        OPENTELEMETRY_ALONE("OpenTelemetry alone");

        private final String text;

        Setup(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Hand-overs that must keep the request's trace; the rest ({@code thread}) must not. */
    private static final List<String> FOLLOWED = List.of("run", "supply", "pool", "execute", "async");

    private static final Duration APP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Generous: the exporter's lines were seen written by the thread that ends each span (OpenTelemetry gives its
     * logging exporter a simple span processor, not a batching one), so they come with the answers.
     */
    private static final Duration SPAN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * {@code LoggingSpanExporter}'s line for one span: {@code 'name' : traceId spanId KIND [tracer: ...] attributes}.
     */
    private static final Pattern SPAN = Pattern.compile(
            "LoggingSpanExporter - '([^']*)' : ([0-9a-f]{32}) ([0-9a-f]{16}) ([A-Z]+) \\[tracer: ([^\\]]*)\\] (.*)$");

    /** One exported span. */
    record Span(String name, String traceId, String spanId, String kind, String tracer, String attributes) {
        static Optional<Span> parse(String line) {
            Matcher m = SPAN.matcher(line);
            return m.find()
                    ? Optional.of(new Span(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)))
                    : Optional.empty();
        }
    }

    private static final OtherAgent OTEL = OtherAgent.OPENTELEMETRY;

    private TomcatDistribution tomcat;
    private Path dir;
    private Path war;

    @BeforeAll
    void buildTheWar() throws Exception {
        tomcat = TomcatDistribution.of("tomcat10");
        dir = ItEnvironment.freshWorkDir("tracing");
        war = TracingWar.build(tomcat, dir.resolve("war"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Setup.class)
    void spansMadeInTheTaskBelongToTheRequestsTrace(Setup setup) throws Exception {
        long started = System.nanoTime();
        try (OtherAgent.Beside beside = OTEL.prepare();
                TomcatServer server = start(setup, setup.name(), beside, List.of())) {
            Map<String, String> answers = handOver(server);
            Map<String, Span[]> spans = awaitSpans(server);
            String why = answers + "\n" + server.describe();
            List<String> output = server.texts();
            List<String> oursWarned = output.stream()
                    .filter(ProgramAssertions::isOursAtWarningOrWorse)
                    .collect(Collectors.toList());
            record(setup.toString(), spans, oursWarned, output, started);

            for (String from : FOLLOWED) {
                Span[] s = spans.get(from);
                assertEquals(
                        s[0].traceId(),
                        s[1].traceId(),
                        "the CLIENT span made in the task of /" + from + " is in the request's trace\n" + describe(s)
                                + "\n" + why);
                assertEquals(
                        s[0].traceId(),
                        s[2].traceId(),
                        "... and so is the SERVER span of the /target it called\n" + describe(s) + "\n" + why);
            }
            Span[] control = spans.get("thread");
            assertNotEquals(
                    control[0].traceId(),
                    control[1].traceId(),
                    "control: the CLIENT span made on a thread the request started is in a trace of its own\n"
                            + describe(control) + "\n" + why);
            assertEquals(
                    control[1].traceId(),
                    control[2].traceId(),
                    "control: the SERVER span of /target continues that CLIENT span's trace\n" + describe(control)
                            + "\n" + why);

            String workers = setup == Setup.OPENTELEMETRY_ALONE ? "the API's standalone pool" : "our agent";
            for (String from : List.of("run", "supply")) {
                assertTrue(
                        answers.get(from).contains("thread=wait-until-worker-"),
                        "precondition: /" + from + " ran on a worker of " + workers + "\n" + why);
            }
            for (String from : List.of("pool", "execute")) {
                assertTrue(
                        answers.get(from).contains("thread=pool-"),
                        "precondition: /" + from + " ran on the application's pool\n" + why);
            }
            assertTrue(OTEL.startedLine(output).isPresent(), "OpenTelemetry started\n" + why);
            assertEquals(List.of(), OTEL.linesAtLevel(output, "ERROR"), "OpenTelemetry logs no error\n" + why);
            if (setup == Setup.OPENTELEMETRY_ALONE) {
                assertTrue(
                        server.firstLine(l -> l.contains(ProgramAssertions.NOT_ATTACHED))
                                .isPresent(),
                        "precondition: without our agent the API runs standalone\n" + why);
            } else {
                assertEquals(List.of(), oursWarned, "ours logs no warning\n" + why);
                assertEquals(
                        List.of(),
                        server.linesContaining(ProgramAssertions.NOT_ATTACHED),
                        "the API reached our agent\n" + why);
            }
        }
    }

    /**
     * The control for our side of it: what the test sees when our task objects hide the application's task from
     * OpenTelemetry. Theirs first, told not to instrument any class of ours
     * ({@code -Dotel.javaagent.exclude-classes=dev.waituntil.*}): the context it attaches to our
     * {@code run}/{@code supply} task and to our wrapper of a captured task ({@code CapturedRunnable}, which our
     * advice, outermost in this order, puts in place of the application's lambda before theirs sees it) is never
     * made current, and the CLIENT spans of {@code /run}, {@code /supply}, {@code /execute} and {@code /async} start
     * traces of their own.
     */
    @Test
    void whenOpenTelemetryDoesNotInstrumentOurTaskClassesTheTaskLosesTheTrace() throws Exception {
        long started = System.nanoTime();
        try (OtherAgent.Beside beside = OTEL.prepare();
                TomcatServer server = start(
                        Setup.THEIRS_FIRST,
                        "control-ours-excluded",
                        beside,
                        List.of("-Dotel.javaagent.exclude-classes=dev.waituntil.*"))) {
            Map<String, String> answers = handOver(server);
            Map<String, Span[]> spans = awaitSpans(server);
            String why = answers + "\n" + server.describe();
            record(
                    "control: theirs first, not instrumenting dev.waituntil.*",
                    spans,
                    List.of(),
                    server.texts(),
                    started);
            for (String from : List.of("run", "supply", "execute", "async")) {
                Span[] s = spans.get(from);
                assertNotEquals(
                        s[0].traceId(),
                        s[1].traceId(),
                        "control: the CLIENT span made in the task of /" + from + " is in a trace of its own\n"
                                + describe(s) + "\n" + why);
            }
        }
    }

    /** Calls every hand-over endpoint; each must have reached {@code /target}. Returns the answers. */
    private static Map<String, String> handOver(TomcatServer server) throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String from : TracingWar.HAND_OVERS) {
            String body = server.ok("/trace/" + from).body();
            answers.put(from, body);
            assertTrue(
                    body.contains("target=from=" + from),
                    "the task of /" + from + " reached /target: " + body + "\n" + server.describe());
        }
        return answers;
    }

    private void record(
            String run, Map<String, Span[]> spans, List<String> oursWarned, List<String> output, long started) {
        Figures.record(
                dir,
                String.format(
                        "[tracing] %s, OpenTelemetry %s: %s; warnings of ours %d; errors of theirs %d; test %,d ms",
                        run,
                        OTEL.version(),
                        TracingWar.HAND_OVERS.stream()
                                .map(from -> from + " " + (sameTrace(spans.get(from)) ? "same trace" : "other trace"))
                                .collect(Collectors.joining(", ")),
                        oursWarned.size(),
                        OTEL.linesAtLevel(output, "ERROR").size(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }

    /**
     * A fresh base with the WAR as {@code /trace} and the agents of {@code setup}; waits until it answers. Ours
     * attached later: OpenTelemetry alone at start, {@code /ping} (which does not touch the API, so it does not go
     * standalone) loads the servlet and starts the application's pool, then the attach command loads ours, which
     * retransforms the JDK's executors that OpenTelemetry has transformed already.
     */
    private TomcatServer start(Setup setup, String run, OtherAgent.Beside beside, List<String> more) throws Exception {
        TomcatDistribution.Base base = tomcat.newBase(dir.resolve(run.toLowerCase(Locale.ROOT)));
        base.deploy(war, "trace");
        String ours = "-javaagent:" + ItEnvironment.agentJar();
        List<String> options = new ArrayList<>(
                switch (setup) {
                    case THEIRS_FIRST -> List.of(beside.javaagent(), ours);
                    case OURS_FIRST -> List.of(ours, beside.javaagent());
                    case OURS_ATTACHED -> List.of(beside.javaagent(), "-XX:+EnableDynamicAgentLoading");
                    case OPENTELEMETRY_ALONE -> List.of(beside.javaagent());
                });
        options.addAll(List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC"));
        options.addAll(beside.options());
        options.addAll(more);
        TomcatServer server = TomcatServer.start(tomcat + ", " + run, tomcat, base, options);
        try {
            server.awaitAnswer("/trace/ping", APP_TIMEOUT);
            if (setup == Setup.OURS_ATTACHED) {
                try (JavaProcess attach = JavaProcess.builder("attach command")
                        .executableJar(ItEnvironment.agentJar(), String.valueOf(server.pid()))
                        .start()) {
                    assertEquals(
                            0,
                            attach.waitFor(APP_TIMEOUT),
                            "the attach command succeeds\n" + attach.describe() + "\n" + server.describe());
                }
                String started = ItEnvironment.agentStartedLine() + " by dynamic attach";
                server.awaitLine(l -> l.contains(started), APP_TIMEOUT);
            }
            return server;
        } catch (Throwable e) {
            server.close();
            throw e;
        }
    }

    /**
     * Waits (bounded) until, for every hand-over {@code X}, the exporter has logged the SERVER span of
     * {@code GET /trace/X}, the CLIENT span of the call to {@code /target?from=X}, and the SERVER span of that
     * {@code /target} request; returns them in that order, by {@code X}.
     */
    private static Map<String, Span[]> awaitSpans(TomcatServer server) throws InterruptedException {
        long deadline = System.nanoTime() + SPAN_TIMEOUT.toNanos();
        while (true) {
            List<Span> spans = server.texts().stream()
                    .map(Span::parse)
                    .flatMap(Optional::stream)
                    .collect(Collectors.toList());
            Map<String, Span[]> found = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (String from : TracingWar.HAND_OVERS) {
                Pattern call = Pattern.compile("/trace/target\\?from=" + from + "[,}]");
                Pattern query = Pattern.compile("url\\.query=from=" + from + "[,}]");
                Span[] s = {
                    first(spans, sp -> sp.kind().equals("SERVER") && sp.name().equals("GET /trace/" + from)),
                    first(
                            spans,
                            sp -> sp.kind().equals("CLIENT")
                                    && call.matcher(sp.attributes()).find()),
                    first(
                            spans,
                            sp -> sp.kind().equals("SERVER")
                                    && sp.name().equals("GET /trace/target")
                                    && query.matcher(sp.attributes()).find())
                };
                found.put(from, s);
                String[] what = {"SERVER GET /trace/" + from, "CLIENT from=" + from, "SERVER /target from=" + from};
                for (int i = 0; i < s.length; i++) {
                    if (s[i] == null) {
                        missing.add(what[i]);
                    }
                }
            }
            if (missing.isEmpty()) {
                return found;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no span exported within " + SPAN_TIMEOUT.toSeconds() + " s for " + missing
                        + "\n" + server.describe());
            }
            Thread.sleep(100);
        }
    }

    private static Span first(List<Span> spans, Predicate<Span> condition) {
        return spans.stream().filter(condition).findFirst().orElse(null);
    }

    private static boolean sameTrace(Span[] s) {
        return s[0].traceId().equals(s[1].traceId());
    }

    private static String describe(Span[] s) {
        return "request: " + s[0] + "\nclient call in the task: " + s[1] + "\n/target: " + s[2];
    }
}
