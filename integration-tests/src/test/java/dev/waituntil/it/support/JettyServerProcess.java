package dev.waituntil.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A Jetty distribution run as a real server process, the way an operator runs it:
 * {@code cd $JETTY_BASE && java [-javaagent:...] [-D...] -jar $JETTY_HOME/start.jar <properties>}.
 *
 * <p>{@link #create} makes a fresh {@code JETTY_BASE} ({@code start.jar --add-modules=...}, or
 * {@code --add-to-start} for 9.4) and builds the test web application ({@link JettyTestWebApp}) as
 * {@code webapps/<name>.war}, which Jetty deploys at {@code /<name>}.
 * {@link #start} starts the server as the very process the test holds: the agent and the system properties go
 * on its own command line, no ini file asks for JVM arguments, so {@code start.jar} runs Jetty in its own JVM
 * and forks nothing ({@code start} checks that the process has no child). Jetty listens on 127.0.0.1 on a free
 * port, scans {@code webapps/} every second (hot undeploy), and has a stop port and key for
 * {@code start.jar --stop}.
 *
 * <p>Every wait is bounded; {@link #close()} kills the server if it is still running and writes its output
 * to {@code <base>/server-output.log}.
 */
public final class JettyServerProcess implements AutoCloseable {

    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String STOP_KEY = "waitUntilItStopKey";

    private final JettyDistribution distribution;
    private final Path base;
    private final Path recordFile;
    private final HttpClient http;
    private JavaProcess process;
    private int port;
    private int stopPort;
    private long sigtermNanos = -1;
    private long sigtermWallMillis = -1;

    private JettyServerProcess(JettyDistribution distribution, Path base) {
        this.distribution = distribution;
        this.base = base;
        this.recordFile = base.resolve("record.txt");
        this.http = HttpClients.http11();
    }

    /**
     * A fresh {@code JETTY_BASE} in {@code <it.workDir>/<workName>} with the modules for {@code distribution}
     * and the test web application deployed as each of {@code apps}.
     */
    public static JettyServerProcess create(JettyDistribution distribution, String workName, String... apps)
            throws Exception {
        Path base = ItEnvironment.freshWorkDir(workName);
        JettyServerProcess server = new JettyServerProcess(distribution, base);
        server.initBase(apps);
        return server;
    }

    /**
     * A fresh {@code JETTY_BASE} as {@link #create(JettyDistribution, String, String...)} makes it, with {@code war}
     * (built against {@link JettyDistribution#servletApiJar()}) deployed as each of {@code apps} instead of the test
     * web application.
     */
    public static JettyServerProcess create(JettyDistribution distribution, String workName, Path war, String... apps)
            throws Exception {
        Path base = ItEnvironment.freshWorkDir(workName);
        JettyServerProcess server = new JettyServerProcess(distribution, base);
        server.initModules();
        for (String app : apps) {
            Files.copy(war, server.war(app));
        }
        return server;
    }

    private void initBase(String... apps) throws Exception {
        initModules();
        Path exploded = base.resolve("exploded");
        JettyTestWebApp.build(distribution, base.resolve("webapp-classes"), exploded, apps);
        // Deployed in webapps/, Jetty extracts a WAR into its temporary directory and serves it at /<name>;
        // deleting the file undeploys it, while the classes stay loadable, from the extracted copy, by the
        // tasks that run during the drain.
        for (String app : apps) {
            WebArchive.pack(exploded.resolve(app), war(app));
        }
    }

    private void initModules() throws Exception {
        List<String> args = new ArrayList<>(distribution.addModulesArguments());
        JavaProcess.Builder builder = JavaProcess.builder(
                        "start.jar " + String.join(" ", args) + " (" + distribution + ")")
                .directory(base)
                .executableJar(distribution.startJar(), args.toArray(new String[0]));
        clearJettyEnvironment(builder);
        try (JavaProcess init = builder.start()) {
            int exit = init.waitFor(Duration.ofSeconds(60));
            if (exit != 0 || !Files.isDirectory(base.resolve("webapps"))) {
                throw new AssertionError(
                        "creating the Jetty base " + base + " failed (exit " + exit + ")\n" + init.describe());
            }
        }
        // Jetty uses <base>/work for the web applications' temporary directories when it exists: nothing in /tmp.
        Files.createDirectories(base.resolve("work"));
    }

    private static void clearJettyEnvironment(JavaProcess.Builder builder) {
        builder.environment("JETTY_HOME", null)
                .environment("JETTY_BASE", null)
                .environment("JETTY_RUN", null)
                .environment("JAVA_OPTIONS", null);
    }

    /** {@code webapps/<app>.war}: deleting it while the server runs undeploys the application. */
    public Path war(String app) {
        return base.resolve("webapps").resolve(app + ".war");
    }

    /**
     * Starts the server: {@code java <jvm options> -Djettyit.record=<base>/record.txt -jar start.jar ...}
     * with {@code jvm} adding the agent and options; waits (bounded) for Jetty's "Started" line and for
     * {@code /<app>/ping} of each of {@code apps} to answer 200.
     */
    public JettyServerProcess start(String name, UnaryOperator<JavaProcess.Builder> jvm, String... apps)
            throws Exception {
        port = freePort();
        stopPort = freePort();
        while (stopPort == port) {
            stopPort = freePort();
        }
        JavaProcess.Builder builder = JavaProcess.builder(name)
                .directory(base)
                .systemProperty(JettyTestWebApp.RECORD_PROPERTY, recordFile.toString())
                .executableJar(
                        distribution.startJar(),
                        "jetty.http.host=127.0.0.1",
                        "jetty.http.port=" + port,
                        "jetty.deploy.scanInterval=1",
                        distribution.stopPortProperty() + "=" + stopPort,
                        distribution.stopKeyProperty() + "=" + STOP_KEY);
        clearJettyEnvironment(builder);
        process = jvm.apply(builder).start();
        try {
            process.awaitLine(l -> l.contains("oejs.Server") && l.contains("Started"), START_TIMEOUT);
            List<ProcessHandle> children = ProcessHandle.of(process.pid())
                    .map(h -> h.children().collect(Collectors.toList()))
                    .orElse(List.of());
            if (!children.isEmpty()) {
                throw new AssertionError("start.jar forked a second JVM ("
                        + children.stream()
                                .map(c -> c.pid() + " " + c.info().commandLine().orElse("?"))
                                .collect(Collectors.joining("; "))
                        + "): the agent would not be in the server's JVM\n" + process.describe());
            }
            for (String app : apps) {
                awaitAnswer("/" + app + "/ping", Duration.ofSeconds(30));
            }
            return this;
        } catch (Throwable e) {
            close();
            throw e;
        }
    }

    private void awaitAnswer(String path, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() - deadline < 0) {
            try {
                HttpResponse<String> r = get(path);
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + path + " did not answer 200 within " + timeout.toSeconds() + " s (last: "
                + last + ")\n" + process.describe());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /** {@code GET http://127.0.0.1:<port><pathAndQuery>}, bounded. */
    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The same, not waiting for the answer: for requests that are to be in flight when the server stops. Each
     * goes on a connection of its own, the first request on it. A connection taken from the client's pool that
     * closes before any answer is taken by the JDK client for a stale one and the request is sent again on a new
     * connection, which after the stop is refused: the test would see that retry, not what the server did with
     * the request. The client is built per request for that reason.
     */
    public CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery) {
        return HttpClients.http11().sendAsync(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
    }

    /** {@link #get} that must answer 200; returns the body. */
    public String ok(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = get(pathAndQuery);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + pathAndQuery + " answered " + r.statusCode() + ":\n" + r.body() + "\n"
                    + process.describe());
        }
        return r.body();
    }

    private HttpRequest request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
    }

    /** Sends SIGTERM to the server (what {@code kill}, {@code docker stop} and Kubernetes do), and notes when. */
    public void sigterm() {
        sigtermWallMillis = System.currentTimeMillis();
        sigtermNanos = System.nanoTime();
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
    }

    /**
     * Runs {@code java -jar start.jar --stop stop.port=... stop.key=... stop.wait=<wait>} in the base, as an
     * operator would, noting when it was started as the moment the stop began; returns that process, exited.
     */
    public JavaProcess stopWithStartJar(Duration wait) throws Exception {
        JavaProcess.Builder builder = JavaProcess.builder("start.jar --stop (" + distribution + ")")
                .directory(base)
                .executableJar(
                        distribution.startJar(),
                        "--stop",
                        distribution.stopPortProperty() + "=" + stopPort,
                        distribution.stopKeyProperty() + "=" + STOP_KEY,
                        distribution.stopWaitProperty() + "=" + wait.toSeconds());
        clearJettyEnvironment(builder);
        sigtermWallMillis = System.currentTimeMillis();
        sigtermNanos = System.nanoTime();
        JavaProcess stop = builder.start();
        stop.waitFor(wait.plusSeconds(30));
        return stop;
    }

    /**
     * Waits (bounded) for the server to exit; returns the milliseconds from the stop signal
     * ({@link #sigterm()} or {@link #stopWithStartJar}) to the exit.
     */
    public long awaitExit(Duration timeout) throws InterruptedException {
        process.waitFor(timeout);
        if (sigtermNanos < 0) {
            throw new IllegalStateException("the server was never told to stop");
        }
        return process.exitWallMillis().orElseThrow() - sigtermWallMillis;
    }

    /** Wall-clock time of the stop signal, comparable with the record file's time stamps. */
    public long stopSignalWallMillis() {
        return sigtermWallMillis;
    }

    public JettyTestWebApp.Record record() throws IOException {
        return JettyTestWebApp.Record.read(recordFile);
    }

    /**
     * Waits (bounded) until the record file has a line {@code <event> <subject> ...}; returns the record then.
     */
    public JettyTestWebApp.Record awaitRecord(String event, String subject, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JettyTestWebApp.Record record = record();
            if (record.has(event, subject)) {
                return record;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no '" + event + " " + subject + "' in the record within "
                        + timeout.toSeconds() + " s\nrecord:\n" + record + "\n" + process.describe());
            }
            Thread.sleep(20);
        }
    }

    public JavaProcess process() {
        return process;
    }

    public JettyDistribution distribution() {
        return distribution;
    }

    public Path base() {
        return base;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public Optional<String> lineContaining(String text) {
        return process.firstLineContaining(text).map(JavaProcess.Line::text);
    }

    /** The server's output, then the record file: for assertion messages. */
    public String describe() {
        String record;
        try {
            record = record().toString();
        } catch (IOException e) {
            record = "(cannot read " + recordFile + ": " + e + ")";
        }
        return (process == null ? "(not started)" : process.describe()) + "\n---- record file " + recordFile + ":\n"
                + record + "\n---- end of record file";
    }

    /** Kills the server if it still runs (and any child); leaves its output in {@code <base>/server-output.log}. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.close();
        try {
            Files.writeString(base.resolve("server-output.log"), describe() + "\n");
        } catch (IOException e) {
            // Only for inspection; assertion messages carry the output too.
        }
    }
}
