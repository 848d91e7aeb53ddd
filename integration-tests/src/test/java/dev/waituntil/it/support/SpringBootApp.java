package dev.waituntil.it.support;

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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One of the Spring Boot executable jars of {@code integration-tests-apps/spring-boot-apps} (Boot 3) and
 * {@code integration-tests-apps/spring-boot-4-apps} (Boot 4), all built from one application, run as a real
 * process: {@code java [-javaagent:wait-until-agent.jar=debug=true] -jar spring-boot-[4-]<server>-app.jar
 * --server.port=0 --server.shutdown=graceful|immediate --receipts.file=<events>}. The port is read from
 * Spring Boot's own "Tomcat started on port N" / "Jetty started on port N" line.
 *
 * <p>The application ({@code dev.waituntil.it.springboot}) writes its events, one line each and in the order
 * in which they happened, to the events file: {@code DONE <label> <millis>}, {@code BEAN-DESTROYED <millis>},
 * {@code USED-AFTER-DESTROY <label> <millis>}, {@code INTERRUPTED <label> <millis>}, {@code SLOW-STARTED},
 * {@code SLOW-REGISTERED} and {@code SLOW-REJECTED <label> ...}. It prints each of them on standard output
 * too, prefixed {@code it-app | }, so that they show in the log between Spring's and the agent's lines.
 *
 * <p>{@link #sigterm()} signals the JVM through its {@link ProcessHandle}, never {@code Process.destroy()},
 * which would also close the pipe from which the output of the stop is read. {@link #close()} kills it.
 */
public final class SpringBootApp implements AutoCloseable {

    /** The embedded server a jar was built with. */
    public enum Server {
        TOMCAT("tomcat", "org.apache.catalina.core.StandardServer", "tomcat-embed-core-"),
        JETTY("jetty", "org.eclipse.jetty.server.Server", "jetty-server-");

        public final String id;
        /** The server class whose stop the agent hooks; it comes from a nested jar of the executable jar. */
        public final String serverClass;
        /** The start of the nested jar's name under {@code BOOT-INF/lib} that holds {@link #serverClass}. */
        public final String serverJarPrefix;

        Server(String id, String serverClass, String serverJarPrefix) {
            this.id = id;
            this.serverClass = serverClass;
            this.serverJarPrefix = serverJarPrefix;
        }
    }

    /**
     * The Spring Boot generation a jar was built with, each from its own module of {@code integration-tests-apps}
     * from the same application classes. Boot 3's ids and properties have no generation in them: they are older
     * than Boot 4's jars, and figures in RELIABILITY.md name them.
     */
    public enum Boot {
        BOOT_3(3, "3", "", "it.springBoot.", "spring-boot-apps"),
        BOOT_4(4, "4", "4-", "it.springBoot4.", "spring-boot-4-apps"),
        /**
         * Boot 2.7 and 4.1: only the {@code latest} profile builds these jars (the same modules with another
         * {@code spring-boot.version}) and hands in their properties; their test classes are skipped without them.
         */
        BOOT_2_7(2, "2.7", "2.7-", "it.springBoot27.", "spring-boot-apps"),
        BOOT_4_1(4, "4.1", "4.1-", "it.springBoot41.", "spring-boot-4-apps");

        public final int major;
        /** For messages and figures: {@code 4}, {@code 2.7}. */
        private final String name;

        private final String idPrefix;
        private final String propertyPrefix;
        private final String module;

        Boot(int major, String name, String idPrefix, String propertyPrefix, String module) {
            this.major = major;
            this.name = name;
            this.idPrefix = idPrefix;
            this.propertyPrefix = propertyPrefix;
            this.module = module;
        }
    }

    /** One executable jar: a Spring Boot generation and an embedded server. */
    public record AppJar(Boot boot, Server server) {

        /** {@code tomcat}, {@code jetty} for Boot 3; {@code 4-tomcat}, {@code 4-jetty} for Boot 4; {@code 2.7-tomcat}... */
        public String id() {
            return boot.idPrefix + server.id;
        }

        /** For messages and figures: {@code Spring Boot 4 with tomcat}. */
        @Override
        public String toString() {
            return "Spring Boot " + boot.name + " with " + server.id;
        }

        /** The system property in which failsafe hands in the jar's path: {@code it.springBoot4.tomcatApp}. */
        String jarProperty() {
            return boot.propertyPrefix + server.id + "App";
        }

        /** The executable jar the build made, as failsafe hands in its path. */
        public Path jar() {
            String property = jarProperty();
            String value = System.getProperty(property);
            if (value == null || value.isEmpty()) {
                throw new AssertionError("system property " + property + " is not set; run the integration tests "
                        + "through Maven failsafe (./mvnw verify)");
            }
            Path jar = Path.of(value).toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) {
                throw new AssertionError(property + "=" + jar + " does not exist; build it first (./mvnw verify from "
                        + "the root builds integration-tests-apps/" + boot.module + " before the integration tests)");
            }
            return jar;
        }

        /** The entries under {@code BOOT-INF/lib/} of the executable jar. */
        public List<String> nestedJars() throws IOException {
            try (JarFile jar = new JarFile(jar().toFile())) {
                return jar.stream()
                        .map(e -> e.getName())
                        .filter(n -> n.startsWith("BOOT-INF/lib/") && n.endsWith(".jar"))
                        .map(n -> n.substring("BOOT-INF/lib/".length()))
                        .collect(Collectors.toList());
            }
        }
    }

    /** A line of the events file. */
    public record Event(int index, String kind, String label, long millis, String text) {}

    /** Spring Boot 3.2 and later (4 too): "Tomcat started on port 8080 (http)"; 3.0 and 3.1: "on port(s): 8080 (http)". */
    private static final Pattern STARTED_ON_PORT =
            Pattern.compile("(?:Tomcat|Jetty) started on port(?:\\(s\\))?:? (\\d+)");

    private final AppJar appJar;
    private final JavaProcess process;
    private final Path eventsFile;
    private final HttpClient http = HttpClients.http11();
    private int port = -1;
    private long sigtermWallMillis = -1;

    private SpringBootApp(AppJar appJar, JavaProcess process, Path eventsFile) {
        this.appJar = appJar;
        this.process = process;
        this.eventsFile = eventsFile;
    }

    /**
     * Starts {@code appJar} in {@code dir} and waits (bounded) until Spring Boot says on which
     * port it listens.
     *
     * @param agent     {@code -javaagent:wait-until-agent.jar=debug=true}, or no agent at all (the control)
     * @param graceful  {@code --server.shutdown=graceful}, else {@code immediate}
     */
    public static SpringBootApp start(
            AppJar appJar, boolean agent, boolean graceful, Path dir, List<String> jvmOptions, Duration startTimeout)
            throws IOException, InterruptedException {
        Path events = dir.resolve("events.txt");
        JavaProcess.Builder builder = JavaProcess.builder("spring-boot-" + appJar.id() + "-app"
                        + (agent ? "" : " (no agent)") + (graceful ? ", graceful" : ", immediate"))
                .directory(dir);
        if (agent) {
            builder.javaAgent(ItEnvironment.agentJar(), "debug=true");
        }
        jvmOptions.forEach(builder::jvmOption);
        builder.executableJar(
                appJar.jar(),
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--server.shutdown=" + (graceful ? "graceful" : "immediate"),
                "--receipts.file=" + events.toAbsolutePath(),
                "--spring.main.banner-mode=off");
        SpringBootApp app = new SpringBootApp(appJar, builder.start(), events);
        try {
            JavaProcess.Line started =
                    app.process.awaitLine(s -> STARTED_ON_PORT.matcher(s).find(), startTimeout);
            Matcher m = STARTED_ON_PORT.matcher(started.text());
            if (!m.find()) {
                throw new AssertionError("no port in: " + started.text());
            }
            app.port = Integer.parseInt(m.group(1));
            app.process.awaitLine(s -> s.contains("it-app | ready;"), startTimeout);
        } catch (AssertionError | InterruptedException | RuntimeException e) {
            app.close();
            throw e;
        }
        return app;
    }

    public AppJar appJar() {
        return appJar;
    }

    public int port() {
        return port;
    }

    /** Milliseconds from the start of the process until Spring Boot's "Started ... in" line. */
    public long startupMillis() {
        return process.firstLine(s -> s.contains("Started SpringBootItApplication in"))
                .map(JavaProcess.Line::millis)
                .orElse(-1L);
    }

    /** A status and a body, or the exception that took the place of the answer. */
    public record Response(int status, String body, Throwable failure) {
        public boolean is2xx() {
            return failure == null && status / 100 == 2;
        }

        @Override
        public String toString() {
            return failure != null ? "no answer: " + failure : status + " " + body.strip();
        }
    }

    /** {@code POST path}, answered; fails unless the status is {@code expected}. */
    public Response post(String pathAndQuery, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                request(pathAndQuery, Duration.ofSeconds(30)),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != expected) {
            throw new AssertionError("POST " + pathAndQuery + " answered " + r.statusCode() + " " + r.body()
                    + ", expected " + expected + "\n" + process.describe());
        }
        return new Response(r.statusCode(), r.body(), null);
    }

    /** {@code POST path} sent now; the future completes with its answer or with the failure that replaced it. */
    public CompletableFuture<Response> postAsync(String pathAndQuery, Duration timeout) {
        return http.sendAsync(
                        request(pathAndQuery, timeout), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((r, e) -> e == null ? new Response(r.statusCode(), r.body(), null) : new Response(-1, "", e));
    }

    private HttpRequest request(String pathAndQuery, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(timeout)
                .build();
    }

    /** SIGTERM, as {@code kill <pid>} or a container runtime's stop sends it. */
    public void sigterm() {
        sigtermWallMillis = System.currentTimeMillis();
        process.sigterm();
    }

    /** Wall-clock time of {@link #sigterm()}. */
    public long sigtermWallMillis() {
        return sigtermWallMillis;
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout);
    }

    public JavaProcess process() {
        return process;
    }

    public JavaProcess.Line awaitLine(Predicate<String> condition, Duration timeout) throws InterruptedException {
        return process.awaitLine(condition, timeout);
    }

    public Optional<JavaProcess.Line> firstLine(Predicate<String> condition) {
        return process.firstLine(condition);
    }

    public List<String> linesContaining(String text) {
        return process.linesContaining(text);
    }

    /** The events file as it is now, parsed: {@code KIND [label] millis}. */
    public List<Event> events() throws IOException {
        List<Event> events = new ArrayList<>();
        if (!Files.exists(eventsFile)) {
            return events;
        }
        List<String> lines = Files.readAllLines(eventsFile, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] words = line.split(" ");
            long millis = -1;
            try {
                millis = Long.parseLong(words[words.length - 1]);
            } catch (NumberFormatException e) {
                // SLOW-REJECTED carries the exception's message; its time is not needed
            }
            String label = words.length >= 3 ? words[1] : null;
            events.add(new Event(i, words[0], label, millis, line));
        }
        return events;
    }

    public Path eventsFile() {
        return eventsFile;
    }

    /** The command, the exit, every line of output with its time, and the events file. */
    public String describe() {
        StringBuilder b = new StringBuilder(process.describe());
        b.append("\n---- events file ").append(eventsFile).append('\n');
        try {
            if (Files.exists(eventsFile)) {
                Files.readAllLines(eventsFile, StandardCharsets.UTF_8)
                        .forEach(l -> b.append(l).append('\n'));
            }
        } catch (IOException e) {
            b.append("[cannot read it: ").append(e).append("]\n");
        }
        return b.append("---- end of events").toString();
    }

    @Override
    public void close() {
        process.close();
    }
}
