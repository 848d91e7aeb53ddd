package dev.waituntil.it.support;

import dev.waituntil.it.support.JavaProcess.Line;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Tomcat distribution running as a real process: {@code /bin/sh <CATALINA_HOME>/bin/catalina.sh run}
 * in a {@code CATALINA_BASE} of its own ({@link TomcatDistribution#newBase}), with
 * {@code JAVA_HOME} set to the JDK that runs the tests and {@code CATALINA_OPTS} carrying the agent and
 * the test's {@code -D} options.
 *
 * <p>{@code catalina.sh run} ends in {@code exec java ...}: the process held here becomes the Tomcat
 * JVM itself (checked at start), so {@link #sigterm()} ({@code ProcessHandle.destroy()}) signals the JVM and its shutdown hook
 * ({@code Catalina$CatalinaShutdownHook}) runs, as under systemd, Docker or Kubernetes. In the
 * foreground Tomcat logs to the console, which a {@link JavaProcess} reads like any other child JVM's.
 *
 * <p>Every wait is bounded; {@link #close()} kills the JVM if it is still alive and saves its output
 * to {@code <base>/console.log}.
 */
public final class TomcatServer implements AutoCloseable {

    /** Generous: Tomcat starts in a few seconds; this only keeps a broken one from hanging the build. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A response: status and body. */
    public record Response(int status, String body) {}

    private final String name;
    private final TomcatDistribution distribution;
    private final TomcatDistribution.Base base;
    private final Map<String, String> env;
    private final JavaProcess process;
    private final HttpClient http;
    private volatile long stopNanos = -1;
    private volatile long stopWallMillis = -1;

    private TomcatServer(
            String name, TomcatDistribution distribution, TomcatDistribution.Base base, Map<String, String> env)
            throws IOException {
        this.name = name;
        this.distribution = distribution;
        this.base = base;
        this.env = env;
        this.process = catalinaSh(name, "run", env).start();
        this.http = HttpClients.http11();
    }

    /**
     * Starts {@code distribution} in {@code base}, with {@code catalinaOpts} as {@code CATALINA_OPTS}
     * (split on spaces by {@code catalina.sh}: no spaces inside an option), and waits (bounded) for
     * {@code Server startup in [..] milliseconds}. Checks that the process held is the JVM.
     */
    public static TomcatServer start(
            String name, TomcatDistribution distribution, TomcatDistribution.Base base, List<String> catalinaOpts)
            throws Exception {
        for (String option : catalinaOpts) {
            if (option.contains(" ")) {
                throw new IllegalArgumentException("catalina.sh splits CATALINA_OPTS on spaces: " + option);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CATALINA_HOME", distribution.home().toString());
        env.put("CATALINA_BASE", base.dir().toString());
        env.put("CATALINA_TMPDIR", base.dir().resolve("temp").toString());
        env.put("CATALINA_OPTS", String.join(" ", catalinaOpts));
        TomcatServer server = new TomcatServer(name, distribution, base, env);
        try {
            server.awaitLine(l -> l.contains("Server startup in "), START_TIMEOUT);
            String java = ProcessHandle.of(server.pid())
                    .flatMap(h -> h.info().command())
                    .orElse("?");
            if (!java.endsWith("/java")) {
                throw new AssertionError(name + ": the process started by catalina.sh run is " + java
                        + ", not the JVM: a signal to it would not reach Tomcat's shutdown hook\n" + server.describe());
            }
            return server;
        } catch (Throwable e) {
            server.close();
            throw e;
        }
    }

    /** {@code catalina.sh <command>} in the base, with {@code env} and nothing else that would change Tomcat. */
    private JavaProcess.Builder catalinaSh(String processName, String command, Map<String, String> env) {
        JavaProcess.Builder builder = JavaProcess.builder(processName)
                .script(distribution.home().resolve("bin/catalina.sh"), command)
                .directory(base.dir());
        List<String> inherited =
                List.of("JAVA_OPTS", "JRE_HOME", "LOGGING_CONFIG", "LOGGING_MANAGER", "CLASSPATH", "USE_NOHUP");
        System.getenv().keySet().stream()
                .filter(k -> k.startsWith("CATALINA_") || k.startsWith("JPDA_") || inherited.contains(k))
                .filter(k -> !env.containsKey(k))
                .forEach(k -> builder.environment(k, null));
        env.forEach(builder::environment);
        return builder;
    }

    // ---------------------------------------------------------------- HTTP

    public String baseUrl() {
        return "http://127.0.0.1:" + base.httpPort();
    }

    /** {@code GET <baseUrl><pathAndQuery>}; bounded. */
    public Response get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body());
    }

    /**
     * The same request, answered asynchronously (a request that will still be in flight), on a connection of its
     * own, for the reason given at {@link JettyServerProcess#getAsync}.
     */
    public CompletableFuture<Response> getAsync(String pathAndQuery) {
        return HttpClients.http11()
                .sendAsync(request(pathAndQuery), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Response(r.statusCode(), r.body()));
    }

    /** {@link #get} that must answer 200. */
    public Response ok(String pathAndQuery) throws IOException, InterruptedException {
        Response r = get(pathAndQuery);
        if (r.status() != 200) {
            throw new AssertionError(
                    "GET " + pathAndQuery + " answered " + r.status() + ":\n" + r.body() + "\n" + describe());
        }
        return r;
    }

    /** Waits (bounded) until {@code pathAndQuery} answers 200. */
    public void awaitAnswer(String pathAndQuery, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited while waiting for " + pathAndQuery + "\n" + describe());
            }
            try {
                Response r = get(pathAndQuery);
                if (r.status() == 200) {
                    return;
                }
                last = r;
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + ": " + pathAndQuery + " did not answer 200 within " + timeout.toSeconds()
                + " s (last: " + last + ")\n" + describe());
    }

    private HttpRequest request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
    }

    // ---------------------------------------------------------------- stopping

    /**
     * SIGTERM to the Tomcat JVM ({@code ProcessHandle.destroy()} on a Unix-like system), as a service
     * manager or a container runtime sends it. Records when, for {@link #millisFromStopToExit()}.
     */
    public void sigterm() {
        markStop();
        process.sigterm();
    }

    /**
     * {@code catalina.sh stop}: another JVM ({@code Bootstrap stop}) that sends the shutdown command to
     * the shutdown port written in the base's {@code server.xml}. Records when it was run. Returns that
     * command's own output; it must exit 0 (bounded).
     */
    public String catalinaShStop() throws IOException, InterruptedException {
        Map<String, String> stopEnv = new LinkedHashMap<>(env);
        stopEnv.put("CATALINA_OPTS", ""); // catalina.sh does not use it for stop; no agent in the stopping JVM
        markStop();
        try (JavaProcess stop = catalinaSh("catalina.sh stop", "stop", stopEnv).start()) {
            int exit = stop.waitFor(Duration.ofSeconds(60));
            String text = String.join("\n", stop.texts());
            if (exit != 0) {
                throw new AssertionError("catalina.sh stop exited " + exit + ":\n" + text + "\n" + describe());
            }
            return text;
        }
    }

    private void markStop() {
        stopWallMillis = System.currentTimeMillis();
        stopNanos = System.nanoTime();
    }

    /**
     * Waits for the JVM to exit and its output to end; bounded: past {@code timeout} it is killed and
     * the assertion message holds its output. Returns the exit code.
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout);
    }

    /** From {@link #sigterm()} or {@link #catalinaShStop()} to the JVM's exit, once it has exited. */
    public OptionalLong millisFromStopToExit() {
        long stop = stopNanos;
        OptionalLong exit = process.exitNanos();
        return stop < 0 || exit.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(TimeUnit.NANOSECONDS.toMillis(exit.getAsLong() - stop));
    }

    /** {@link #millisFromStopToExit()} for a figures line: the milliseconds, or {@code ?} before the exit. */
    public String stopToExitText() {
        OptionalLong millis = millisFromStopToExit();
        return millis.isPresent() ? Long.toString(millis.getAsLong()) : "?";
    }

    /** {@code System.currentTimeMillis()} just before the stop was sent; -1 before. */
    public long stopWallMillis() {
        return stopWallMillis;
    }

    /** {@code System.nanoTime()} just before the stop was sent; -1 before. */
    public long stopNanos() {
        return stopNanos;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * {@code System.currentTimeMillis()} when the JVM was started: a line's {@link Line#millis()} counts from there,
     * so that a line can be placed among the events the application time-stamps.
     */
    public long startWallMillis() {
        return process.startWallMillis();
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the JVM if it still runs; saves the output to {@code <base>/console.log}. */
    @Override
    public void close() {
        process.close();
        try {
            Files.writeString(base.dir().resolve("console.log"), describe() + "\n");
        } catch (IOException e) {
            // only for inspection
        }
    }

    // ---------------------------------------------------------------- output

    /** Waits until a line matching {@code condition} has been read; bounded. */
    public Line awaitLine(Predicate<String> condition, Duration timeout) throws InterruptedException {
        return process.awaitLine(condition, timeout);
    }

    public List<Line> lines() {
        return process.lines();
    }

    public List<String> texts() {
        return process.texts();
    }

    public Optional<Line> firstLine(Predicate<String> condition) {
        return process.firstLine(condition);
    }

    /** Index of the first line containing {@code text}, or -1. */
    public int indexOfLineContaining(String text) {
        return process.indexOfLineContaining(text);
    }

    public List<String> linesContaining(String text) {
        return process.linesContaining(text);
    }

    public TomcatDistribution.Base base() {
        return base;
    }

    /** The command, the environment given, the exit and every line with its time: for assertion messages. */
    public String describe() {
        OptionalLong stopToExit = millisFromStopToExit();
        return process.describe()
                + (stopToExit.isPresent()
                        ? "\n(the JVM exited " + stopToExit.getAsLong() + " ms after the stop was sent)"
                        : "");
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
