package dev.waituntil.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.waituntil.it.support.JavaProcess.Line;

/**
 * A Tomcat distribution running as a real process: {@code /bin/sh <CATALINA_HOME>/bin/catalina.sh run}
 * in a {@code CATALINA_BASE} of its own ({@link TomcatDistribution#newBase}), with
 * {@code JAVA_HOME} set to the JDK that runs the tests and {@code CATALINA_OPTS} carrying the agent and
 * the test's {@code -D} options.
 *
 * <p>{@code catalina.sh run} ends in {@code exec java ...}: the process held here becomes the Tomcat
 * JVM itself (checked at start), so {@link #sigterm()} ({@code ProcessHandle.destroy()}) signals the JVM and its shutdown hook
 * ({@code Catalina$CatalinaShutdownHook}) runs, as under systemd, Docker or Kubernetes. In the
 * foreground Tomcat logs to the console; standard output and standard error are read as one stream,
 * each line kept with the milliseconds since start at which it was read.
 *
 * <p>Every wait is bounded; {@link #close()} kills the JVM if it is still alive and saves its output
 * to {@code <base>/console.log}.
 */
public final class TomcatServer implements AutoCloseable {

    /** Generous: Tomcat starts in a few seconds; this only keeps a broken one from hanging the build. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A response: status and body. */
    public record Response(int status, String body) {
    }

    private final String name;
    private final TomcatDistribution distribution;
    private final TomcatDistribution.Base base;
    private final Map<String, String> env;
    private final List<String> command;
    private final Process process;
    private final long startNanos;
    private final List<Line> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;
    private final CompletableFuture<Void> exitRecorded;
    private final HttpClient http;
    private volatile long exitNanos = -1;
    private volatile long stopNanos = -1;
    private volatile long stopWallMillis = -1;

    private TomcatServer(String name, TomcatDistribution distribution, TomcatDistribution.Base base,
                         Map<String, String> env) throws IOException {
        this.name = name;
        this.distribution = distribution;
        this.base = base;
        this.env = env;
        this.command = List.of("/bin/sh", distribution.home().resolve("bin/catalina.sh").toString(), "run");
        ProcessBuilder builder = new ProcessBuilder(command).directory(base.dir().toFile()).redirectErrorStream(true);
        applyEnvironment(builder, env);
        this.startNanos = System.nanoTime();
        this.process = builder.start();
        this.exitRecorded = process.onExit().thenRun(() -> exitNanos = System.nanoTime());
        process.getOutputStream().close();
        this.reader = new Thread(this::readOutput, "output of " + name);
        reader.setDaemon(true);
        reader.start();
        this.http = HttpClients.http11();
    }

    /**
     * Starts {@code distribution} in {@code base}, with {@code catalinaOpts} as {@code CATALINA_OPTS}
     * (split on spaces by {@code catalina.sh}: no spaces inside an option), and waits (bounded) for
     * {@code Server startup in [..] milliseconds}. Checks that the process held is the JVM.
     */
    public static TomcatServer start(String name, TomcatDistribution distribution, TomcatDistribution.Base base,
                                     List<String> catalinaOpts) throws Exception {
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
            String java = ProcessHandle.of(server.pid()).flatMap(h -> h.info().command()).orElse("?");
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

    private static void applyEnvironment(ProcessBuilder builder, Map<String, String> env) {
        Map<String, String> e = builder.environment();
        // Nothing from the test JVM's environment may change what Tomcat does.
        e.keySet().removeIf(k -> k.startsWith("WAITUNTIL_") || k.startsWith("CATALINA_") || k.startsWith("JPDA_"));
        for (String k : List.of("JAVA_OPTS", "JRE_HOME", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS",
                "LOGGING_CONFIG", "LOGGING_MANAGER", "CLASSPATH", "USE_NOHUP")) {
            e.remove(k);
        }
        e.putAll(env);
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(new Line(sinceStart(System.nanoTime()), line));
            }
        } catch (IOException e) {
            lines.add(new Line(sinceStart(System.nanoTime()), "[test harness: reading the output failed: " + e + "]"));
        }
    }

    private long sinceStart(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
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
        return HttpClients.http11().sendAsync(request(pathAndQuery), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Response(r.statusCode(), r.body()));
    }

    /** {@link #get} that must answer 200. */
    public Response ok(String pathAndQuery) throws IOException, InterruptedException {
        Response r = get(pathAndQuery);
        if (r.status() != 200) {
            throw new AssertionError("GET " + pathAndQuery + " answered " + r.status() + ":\n" + r.body() + "\n" + describe());
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
        return HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery)).timeout(REQUEST_TIMEOUT).GET().build();
    }

    // ---------------------------------------------------------------- stopping

    /**
     * SIGTERM to the Tomcat JVM ({@code ProcessHandle.destroy()} on a Unix-like system), as a service
     * manager or a container runtime sends it. Records when, for {@link #millisFromStopToExit()}.
     */
    public void sigterm() {
        markStop();
        // Through the handle: Process.destroy() would also close the streams, and the output of the stop
        // (the drain's lines) would be lost.
        if (!process.toHandle().destroy()) {
            throw new AssertionError("could not send SIGTERM to " + this);
        }
    }

    /**
     * {@code catalina.sh stop}: another JVM ({@code Bootstrap stop}) that sends the shutdown command to
     * the shutdown port written in the base's {@code server.xml}. Records when it was run. Returns that
     * command's own output; it must exit 0 (bounded).
     */
    public String catalinaShStop() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", distribution.home().resolve("bin/catalina.sh").toString(),
                "stop").directory(base.dir().toFile()).redirectErrorStream(true);
        Map<String, String> stopEnv = new LinkedHashMap<>(env);
        stopEnv.put("CATALINA_OPTS", ""); // catalina.sh does not use it for stop; no agent in the stopping JVM
        applyEnvironment(builder, stopEnv);
        markStop();
        Process stop = builder.start();
        stop.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "[reading failed: " + e + "]";
            }
        });
        if (!stop.waitFor(60, TimeUnit.SECONDS)) {
            stop.destroyForcibly();
            throw new AssertionError("catalina.sh stop did not exit within 60 s\n" + describe());
        }
        String text;
        try {
            text = output.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            text = "[output not read: " + e + "]";
        }
        if (stop.exitValue() != 0) {
            throw new AssertionError("catalina.sh stop exited " + stop.exitValue() + ":\n" + text + "\n" + describe());
        }
        return text;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            kill();
            throw new AssertionError(name + " did not exit within " + timeout.toSeconds() + " s; killed it.\n" + describe());
        }
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 5_000);
        try {
            exitRecorded.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(name + ": the exit was not reported: " + e + "\n" + describe(), e);
        }
        return process.exitValue();
    }

    /** From {@link #sigterm()} or {@link #catalinaShStop()} to the JVM's exit, once it has exited. */
    public OptionalLong millisFromStopToExit() {
        long stop = stopNanos;
        long exit = exitNanos;
        return stop < 0 || exit < 0 ? OptionalLong.empty() : OptionalLong.of(TimeUnit.NANOSECONDS.toMillis(exit - stop));
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

    public long pid() {
        return process.pid();
    }

    private void kill() {
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the JVM if it still runs; saves the output to {@code <base>/console.log}. */
    @Override
    public void close() {
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            kill();
        }
        try {
            Files.writeString(base.dir().resolve("console.log"), describe() + "\n");
        } catch (IOException e) {
            // only for inspection
        }
    }

    // ---------------------------------------------------------------- output

    /** Waits until a line matching {@code condition} has been read; bounded. */
    public Line awaitLine(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Line> found = firstLine(condition);
            if (found.isPresent()) {
                return found.get();
            }
            if (!reader.isAlive()) {
                throw new AssertionError(name + ": the output ended without the expected line.\n" + describe());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(name + ": the expected line did not appear within " + timeout.toSeconds()
                        + " s.\n" + describe());
            }
            reader.join(20);
        }
    }

    public List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public List<String> texts() {
        return lines().stream().map(Line::text).collect(Collectors.toList());
    }

    public Optional<Line> firstLine(Predicate<String> condition) {
        return lines().stream().filter(l -> condition.test(l.text())).findFirst();
    }

    /** Index of the first line containing {@code text}, or -1. */
    public int indexOfLineContaining(String text) {
        List<String> all = texts();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    public List<String> linesContaining(String text) {
        return texts().stream().filter(s -> s.contains(text)).collect(Collectors.toList());
    }

    public TomcatDistribution.Base base() {
        return base;
    }

    /** The command, the environment given, the exit and every line with its time: for assertion messages. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("---- ").append(name).append(" (pid ").append(process.pid()).append(")\n");
        b.append("command: ").append(String.join(" ", command)).append('\n');
        env.forEach((k, v) -> b.append("  ").append(k).append('=').append(v).append('\n'));
        if (process.isAlive()) {
            b.append("still running\n");
        } else {
            b.append("exit code ").append(process.exitValue());
            millisFromStopToExit().ifPresent(ms -> b.append(", ").append(ms).append(" ms after the stop was sent"));
            b.append('\n');
        }
        for (Line line : lines()) {
            b.append(line).append('\n');
        }
        return b.append("---- end of ").append(name).toString();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
