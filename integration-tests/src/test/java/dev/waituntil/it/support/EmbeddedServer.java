package dev.waituntil.it.support;

import java.io.IOException;
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
import java.util.function.UnaryOperator;

/**
 * An embedded container running the test web applications in a JVM of its own (a {@link JavaProcess}):
 * started by its launcher, which prints {@code STARTED <port>}; requests go to 127.0.0.1 with a bounded
 * timeout each. {@link #close()} kills the server.
 */
public final class EmbeddedServer implements AutoCloseable {

    /** Generous: a server starts in a few seconds; this only keeps a broken one from hanging the build. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A response: status and body; {@link #value} reads one of the body's {@code key=value} lines. */
    public record Response(int status, String body) {
        public String value(String key) {
            return body.lines()
                    .filter(l -> l.startsWith(key + "="))
                    .map(l -> l.substring(key.length() + 1).trim())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no '" + key + "=' line in the response body:\n" + body));
        }
    }

    private final Container container;
    private final JavaProcess process;
    private final int port;
    private final HttpClient http;
    private final List<String> exchanges = new ArrayList<>();
    private final Path logFile;

    private EmbeddedServer(Container container, JavaProcess process, int port, Path logFile) {
        this.container = container;
        this.logFile = logFile;
        this.process = process;
        this.port = port;
        this.http = HttpClients.http11();
    }

    /**
     * Starts {@code container} with the launcher in {@code launcherClasses}, deploying every web
     * application under {@code webapps}; {@code jvm} adds what the test needs (the agent, options).
     * Blocks (bounded) until the server reports its port.
     */
    public static EmbeddedServer start(
            Container container,
            String name,
            Path launcherClasses,
            Path webapps,
            Path scratch,
            UnaryOperator<JavaProcess.Builder> jvm)
            throws Exception {
        List<Path> classpath = new ArrayList<>();
        classpath.add(launcherClasses);
        classpath.addAll(container.jars());
        JavaProcess.Builder builder = JavaProcess.builder(name)
                .classpath(classpath.toArray(new Path[0]))
                .mainClass(container.launcherClass(), webapps.toString(), scratch.toString());
        JavaProcess process = jvm.apply(builder).start();
        try {
            String started = process.awaitLine(l -> l.startsWith("STARTED "), START_TIMEOUT)
                    .text();
            return new EmbeddedServer(
                    container,
                    process,
                    Integer.parseInt(started.substring("STARTED ".length()).trim()),
                    scratch.resolve("server-output.log"));
        } catch (Throwable e) {
            process.close();
            throw e;
        }
    }

    /** {@code GET http://127.0.0.1:<port><pathAndQuery>}; bounded. */
    public Response get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        Response r = new Response(response.statusCode(), response.body());
        synchronized (exchanges) {
            exchanges.add("GET " + pathAndQuery + " -> " + r.status() + " "
                    + r.body()
                            .strip()
                            .replace('\n', '|')
                            .substring(0, Math.min(200, r.body().strip().length())));
        }
        return r;
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

    public JavaProcess process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public Container container() {
        return container;
    }

    /** The first line containing {@code text}, waiting for it (bounded): the server's output is read asynchronously. */
    public String awaitLineContaining(String text, Duration timeout) throws InterruptedException {
        return process.awaitLine(l -> l.contains(text), timeout).text();
    }

    public Optional<String> lineContaining(String text) {
        return process.firstLineContaining(text).map(JavaProcess.Line::text);
    }

    /** The requests sent and what they answered, then the server's whole output: for assertion messages. */
    public String describe() {
        StringBuilder b =
                new StringBuilder("requests sent to ").append(container).append(":\n");
        synchronized (exchanges) {
            exchanges.forEach(e -> b.append("  ").append(e).append('\n'));
        }
        return b.append(process.describe()).toString();
    }

    /** Kills the server; its output and the requests sent are left in {@code <scratch>/server-output.log}. */
    @Override
    public void close() {
        process.close();
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, describe() + "\n");
        } catch (IOException e) {
            // Only for inspection; the test's own messages carry the output too.
        }
    }
}
