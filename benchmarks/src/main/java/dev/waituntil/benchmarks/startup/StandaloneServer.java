package dev.waituntil.benchmarks.startup;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A standalone server as users run it, from the distribution the build unpacked into
 * {@code benchmarks/target/distributions/}, with the probe web application ({@link ProbeWar}) in {@code webapps/}.
 * The same {@code java} command that the distribution's own scripts run, without the shell, so that the clock
 * starts at the JVM's spawn and the agent goes on that JVM's command line.
 *
 * <p>The clock stops at the first {@code 200} of {@code GET /probe/hello}: the benchmark asks on a fresh connection
 * every 5 ms; a refused connection, or a 404 or 503 before the application is deployed, means "not yet".
 * "Ready" is the first connection the server accepted.
 */
abstract class StandaloneServer implements StartupTarget {

    static final long START_TIMEOUT_SECONDS = 120;
    private static final long POLL_MILLIS = 5;
    private static final String AGENT_STARTED = "agent started";

    /** What every server JVM of a run gets besides its own arguments. */
    record Launch(Path java, List<String> prefix, List<String> jvmArgs, String agentArgs, boolean checkAgent) {}

    private final String id;
    private final String displayName;
    final Path home;
    final Path work;
    final Launch launch;

    /** {@code launcher}: the jar of {@code home} the server starts from, which tells that it was unpacked. */
    private StandaloneServer(String id, String displayName, Path home, String launcher, Path work, Launch launch) {
        if (!Files.isRegularFile(home.resolve(launcher))) {
            throw new IllegalStateException(
                    "missing " + home.resolve(launcher) + "; build first: ./mvnw -B -q package -DskipTests "
                            + "(from the repository's root), which unpacks the distributions into benchmarks/target/distributions");
        }
        this.id = id;
        this.displayName = displayName;
        this.home = home;
        this.work = work;
        this.launch = launch;
    }

    /**
     * {@code tomcat-dist} or {@code jetty-dist} from {@code distributions} ({@code tomcat10/}, {@code jetty12/}),
     * with its bases under {@code work}; null for another id.
     */
    static StandaloneServer of(String id, Path distributions, Path work, Launch launch) {
        return switch (id.toLowerCase(Locale.ROOT)) {
            case "tomcat-dist" -> new Tomcat(distributions.resolve("tomcat10"), work.resolve("tomcat-dist"), launch);
            case "jetty-dist" -> new Jetty(distributions.resolve("jetty12"), work.resolve("jetty-dist"), launch);
            default -> null;
        };
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    /** Prepares a base for one start on {@code port} and returns the server's arguments after {@code java [options]}. */
    abstract Prepared prepare(int port) throws IOException, InterruptedException;

    /** The base directory the server runs in and its arguments after the JVM options (agent, user's options). */
    record Prepared(Path base, List<String> jvmOptions, List<String> arguments) {}

    /** Called after the sample, the server stopped: a base made for one start is removed. */
    abstract void cleanUp(Path base);

    @Override
    public Timing measure(Path agent, Path log) throws Exception {
        int port = freePort();
        Prepared prepared = prepare(port);
        List<String> command = new ArrayList<>(launch.prefix());
        command.add(launch.java().toString());
        command.addAll(launch.jvmArgs());
        if (agent != null) {
            command.add("-javaagent:" + agent + (launch.agentArgs().isEmpty() ? "" : "=" + launch.agentArgs()));
        }
        command.addAll(prepared.jvmOptions());
        command.addAll(prepared.arguments());
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(prepared.base().toFile()).redirectErrorStream(true);
        clearJettyEnvironment(builder);
        Files.createDirectories(log.toAbsolutePath().getParent());
        long launched = System.nanoTime();
        Process process = builder.start();
        Output output = new Output(process, command, log);
        try {
            long[] times = awaitAnswer(process, port, launched, log);
            checkOneJvm(process, log);
            if (launch.checkAgent()) {
                output.checkAgent(agent != null, displayName);
            }
            return new Timing((times[0] - launched) / 1e6, (times[1] - launched) / 1e6);
        } finally {
            kill(process);
            output.finish();
            cleanUp(prepared.base());
        }
    }

    /** {@link System#nanoTime()} of the first accepted connection and of the end of the first 200. */
    private long[] awaitAnswer(Process process, int port, long launched, Path log) throws Exception {
        long deadline = launched + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        long ready = -1;
        String last = "no connection accepted";
        while (true) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                throw new IllegalStateException(displayName + " did not answer GET " + ProbeWar.PATH
                        + " with 200 within " + START_TIMEOUT_SECONDS + " s (last: " + last + "); see " + log);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(displayName + " ended (exit " + process.exitValue()
                        + ") before it answered GET " + ProbeWar.PATH + "; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(address, 1000);
                if (ready < 0) {
                    ready = System.nanoTime();
                }
                // Tomcat binds its port before it deploys: a request sent then waits in the backlog, and is answered
                // as soon as the connector serves; hence a read timeout as long as what is left of the start.
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                int status = getStatus(socket, port);
                if (status == 200) {
                    return new long[] {ready, System.nanoTime()};
                }
                last = "status " + status;
            } catch (ConnectException e) {
                last = "connection refused";
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** One {@code GET} with {@code Connection: close}, read to the end of the stream; any framing will do. */
    private static int getStatus(Socket socket, int port) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + ProbeWar.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nUser-Agent: wait-until-bench\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        byte[] head = new byte[12];
        int headLength = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            int copy = Math.min(n, head.length - headLength);
            System.arraycopy(buffer, 0, head, headLength, copy);
            headLength += copy;
        }
        String statusLine = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
        if (headLength < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: '" + statusLine + "'");
        }
        try {
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP response: '" + statusLine + "'", e);
        }
    }

    /** A server that forked a JVM of its own would run without the agent and be timed wrongly. */
    private void checkOneJvm(Process process, Path log) {
        List<ProcessHandle> children = process.children().collect(Collectors.toList());
        if (!children.isEmpty()) {
            throw new IllegalStateException(displayName + " forked "
                    + children.stream()
                            .map(c -> c.pid() + " " + c.info().commandLine().orElse("?"))
                            .collect(Collectors.joining("; "))
                    + ": the agent and the clock would be on the wrong JVM; see " + log);
        }
    }

    /** Kills the server and whatever it started; nothing is to be drained. */
    private static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server (pid " + process.pid() + ") did not end after SIGKILL");
        }
    }

    /** start.jar reads {@code JETTY_HOME} and {@code JETTY_BASE} too: the benchmark's own would send it elsewhere. */
    private static void clearJettyEnvironment(ProcessBuilder builder) {
        builder.environment().remove("JETTY_HOME");
        builder.environment().remove("JETTY_BASE");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dir + ": " + e, e);
        }
    }

    /** The server's output (stdout and stderr, merged) to the log, watched for the agent's start line. */
    private static final class Output {
        private final Thread reader;
        private final Path log;
        private final CompletableFuture<String> agentLine = new CompletableFuture<>();

        Output(Process process, List<String> command, Path log) {
            this.log = log;
            reader = new Thread(
                    () -> {
                        try (BufferedReader in = new BufferedReader(
                                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                                PrintWriter out =
                                        new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
                            out.println("$ " + String.join(" ", command));
                            for (String line; (line = in.readLine()) != null; ) {
                                if (line.contains("wait-until ") && line.contains(AGENT_STARTED)) {
                                    agentLine.complete(line);
                                }
                                out.println(line);
                            }
                        } catch (IOException e) {
                            // the log is for inspection; the measurement does not depend on it
                        } finally {
                            agentLine.complete(null);
                        }
                    },
                    "server-output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        /**
         * With the agent, its {@code wait-until <version> agent started} line must have come (the agent logs it in
         * premain, long before the first answer; the wait covers this reader's lag); without it, no such line so
         * far. A broken agent that did not start would otherwise give a cheap figure.
         */
        void checkAgent(boolean expected, String server) throws InterruptedException, ExecutionException {
            String line;
            if (expected) {
                try {
                    line = agentLine.get(10, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    line = null;
                }
            } else {
                line = agentLine.getNow(null);
            }
            if (expected && line == null) {
                throw new IllegalStateException(server + " answered, but the agent did not start in it (no 'wait-until "
                        + "... " + AGENT_STARTED + "' line); see " + log);
            }
            if (!expected && line != null) {
                throw new IllegalStateException(server + " runs an agent it was not given (" + line + "); see " + log);
            }
        }

        void finish() throws InterruptedException {
            reader.join(10_000);
        }
    }

    /**
     * Tomcat as {@code bin/catalina.sh run} starts it, from a fresh {@code CATALINA_BASE} per start: the
     * distribution's {@code conf/} with the HTTP connector on a free port of 127.0.0.1 and no shutdown port, empty
     * {@code logs/ temp/ work/}, and {@code webapps/probe.war}, which Tomcat unpacks and deploys as it starts.
     */
    private static final class Tomcat extends StandaloneServer {
        private int starts;

        Tomcat(Path home, Path work, Launch launch) {
            super("tomcat-dist", "Tomcat 10.1 standalone", home, "bin/bootstrap.jar", work, launch);
        }

        @Override
        Prepared prepare(int port) throws IOException {
            Path base = work.resolve("base-" + ++starts);
            deleteTree(base);
            Path conf = Files.createDirectories(base.resolve("conf"));
            try (Stream<Path> files = Files.list(home.resolve("conf"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, conf.resolve(f.getFileName()));
                    }
                }
            }
            for (String dir : List.of("logs", "temp", "work", "webapps")) {
                Files.createDirectories(base.resolve(dir));
            }
            Path serverXml = conf.resolve("server.xml");
            String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
            xml = replaceOnce(xml, "<Server port=\"8005\"", "<Server port=\"-1\"");
            xml = replaceOnce(
                    xml,
                    "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                    "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
            Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
            ProbeWar.write(base.resolve("webapps/probe.war"));
            // what catalina.sh adds, in its order, for Java 9 and later without a security manager
            List<String> options = List.of(
                    "-Djava.util.logging.config.file=" + conf.resolve("logging.properties"),
                    "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                    "-Djdk.tls.ephemeralDHKeySize=2048",
                    "-Djava.protocol.handler.pkgs=org.apache.catalina.webresources",
                    "-Dsun.io.useCanonCaches=false",
                    "-Dorg.apache.catalina.security.SecurityListener.UMASK=0027",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                    "-classpath",
                    home.resolve("bin/bootstrap.jar") + File.pathSeparator + home.resolve("bin/tomcat-juli.jar"),
                    "-Dcatalina.base=" + base,
                    "-Dcatalina.home=" + home,
                    "-Djava.io.tmpdir=" + base.resolve("temp"));
            return new Prepared(base, options, List.of("org.apache.catalina.startup.Bootstrap", "start"));
        }

        @Override
        void cleanUp(Path base) {
            deleteTree(base);
        }

        private static String replaceOnce(String xml, String what, String with) {
            int at = xml.indexOf(what);
            if (at < 0) {
                throw new IllegalStateException("the distribution's conf/server.xml has no '" + what + "'");
            }
            return xml.substring(0, at) + with + xml.substring(at + what.length());
        }
    }

    /**
     * Jetty as {@code java -jar $JETTY_HOME/start.jar} starts it in a {@code JETTY_BASE}, made once per run with
     * {@code --add-modules=http,ee10-deploy} and {@code webapps/probe.war}; its {@code work/}, where Jetty unpacks
     * the WAR, is emptied before each start. The port goes on the command line; no module asks for JVM options, so
     * start.jar runs Jetty in its own JVM instead of forking one (checked at each start).
     */
    private static final class Jetty extends StandaloneServer {
        private boolean made;

        Jetty(Path home, Path work, Launch launch) {
            super("jetty-dist", "Jetty 12.1 ee10 standalone", home, "start.jar", work, launch);
        }

        @Override
        Prepared prepare(int port) throws IOException, InterruptedException {
            Path base = work.resolve("base");
            if (!made) {
                makeBase(base);
                made = true;
            }
            deleteTree(base.resolve("work"));
            Files.createDirectories(base.resolve("work"));
            return new Prepared(
                    base,
                    List.of(),
                    List.of(
                            "-jar",
                            home.resolve("start.jar").toString(),
                            "jetty.http.host=127.0.0.1",
                            "jetty.http.port=" + port));
        }

        private void makeBase(Path base) throws IOException, InterruptedException {
            deleteTree(work);
            Files.createDirectories(base);
            Path log = work.resolve("add-modules.log");
            ProcessBuilder builder = new ProcessBuilder(
                            launch.java().toString(),
                            "-jar",
                            home.resolve("start.jar").toString(),
                            "--add-modules=http,ee10-deploy")
                    .directory(base.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            clearJettyEnvironment(builder);
            Process init = builder.start();
            if (!init.waitFor(120, TimeUnit.SECONDS)) {
                init.destroyForcibly();
                throw new IllegalStateException("start.jar --add-modules did not finish within 120 s; see " + log);
            }
            if (init.exitValue() != 0 || !Files.isDirectory(base.resolve("webapps"))) {
                throw new IllegalStateException(
                        "start.jar --add-modules=http,ee10-deploy failed (exit " + init.exitValue() + "); see " + log);
            }
            ProbeWar.write(base.resolve("webapps/probe.war"));
        }

        @Override
        void cleanUp(Path base) {
            // the base serves the whole run
        }
    }
}
