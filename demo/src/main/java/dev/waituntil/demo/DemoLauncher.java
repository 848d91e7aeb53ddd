package dev.waituntil.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole demo in one command: {@code java -jar demo/target/wait-until-demo.jar}.
 *
 * <ol>
 *   <li>starts {@link DemoServer} in a child JVM, with {@code -javaagent:<agent jar>=debug=true} and this jar
 *       as its class path, and shows its output prefixed with {@value #SERVER};</li>
 *   <li>sends one GET to warm the fresh JVM up, then {@code POST /shop/order?id=42}, and shows how fast each came back;</li>
 *   <li>half a second later stops the server with SIGTERM, as a deploy or {@code docker stop} would;</li>
 *   <li>waits (at most {@value #EXIT_TIMEOUT_SECONDS} s) for the server's JVM to exit and sums up: was the
 *       receipt sent before the JVM exited, and how long did the exit take.</li>
 * </ol>
 *
 * <p>Exit code 0 when the receipt was sent before the server exited, 1 when it was not, 2 when the demo
 * could not run (no agent jar, bad arguments, the server did not start). Options: {@code --agent <path>}
 * (default: the agent jar built next to this one, {@code ../../agent/target/wait-until-agent.jar}),
 * {@code --no-agent}, {@code --untracked} (the server hands the work to a plain thread pool instead of
 * {@code WaitUntil}: the control, in which the receipt is lost), {@code --port <n>}.
 *
 * <p>SIGTERM is what {@link ProcessHandle#destroy()} sends on Linux and macOS. On Windows it terminates the
 * process at once, with no shutdown hooks, so the demo cannot show a drain there.
 *
 * <p>{@link #run(Options, PrintStream)} does the same in-process and returns a {@link Result}; DemoIT uses it.
 */
public final class DemoLauncher {

    public static final String SERVER = "server | ";
    public static final String DEMO = "demo   | ";
    public static final String ORDER_ID = "42";
    public static final String BUILD_FIRST = "build it first: ./mvnw -B -q package -DskipTests";

    static final long START_TIMEOUT_SECONDS = 30;
    static final long EXIT_TIMEOUT_SECONDS = 60;
    static final long PAUSE_BEFORE_SIGTERM_MILLIS = 500;
    static final int HTTP_TIMEOUT_MILLIS = 10_000;

    /** One line per record in the server's console, like the demo's own lines (the JDK default takes two). */
    static final String JUL_FORMAT = "%1$tH:%1$tM:%1$tS.%1$tL %4$s %5$s%6$s%n";

    static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -jar wait-until-demo.jar [--agent <path> | --no-agent] [--untracked] [--port <n>]",
            "  --agent <path>  the agent jar (default: ../../agent/target/wait-until-agent.jar from this jar)",
            "  --no-agent      run the server without the agent (the API's standalone mode)",
            "  --untracked     the server hands the work to a plain thread pool instead of WaitUntil (the control)",
            "  --port <n>      the server's port (default 0: any free port)",
            "exit code: 0 the receipt was sent before the server exited, 1 it was not, 2 the demo could not run");

    private static final Pattern STARTED = Pattern.compile(Pattern.quote(DemoServer.STARTED) + "(\\d+)");

    private DemoLauncher() {
    }

    /**
     * What to run.
     *
     * @param agentJar  the agent jar for {@code -javaagent}, or null to run the server without the agent
     * @param untracked the server hands the work to a plain thread pool instead of {@code WaitUntil}
     * @param classPath the class path of the server's JVM: the demo jar
     * @param port      the server's port; 0 picks a free one
     */
    public record Options(Path agentJar, boolean untracked, String classPath, int port) {

        /** The defaults of {@code java -jar wait-until-demo.jar}: this jar, and the agent jar built next to it. */
        public static Options defaults() {
            return new Options(defaultAgentJar(), false, ownClassPath(), 0);
        }

        public Options withAgent(Path agent) {
            return new Options(agent, untracked, classPath, port);
        }

        public Options withUntracked(boolean value) {
            return new Options(agentJar, value, classPath, port);
        }

        public Options withClassPath(String value) {
            return new Options(agentJar, untracked, value, port);
        }

        public Options withPort(int value) {
            return new Options(agentJar, untracked, classPath, value);
        }

        static Options parse(String[] args) {
            Options options = defaults();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--agent") && i + 1 < args.length) {
                    options = options.withAgent(Path.of(args[++i]));
                } else if (arg.startsWith("--agent=")) {
                    options = options.withAgent(Path.of(arg.substring("--agent=".length())));
                } else if (arg.equals("--no-agent")) {
                    options = options.withAgent(null);
                } else if (arg.equals("--untracked")) {
                    options = options.withUntracked(true);
                } else if (arg.equals("--port") && i + 1 < args.length && args[i + 1].matches("\\d{1,5}")) {
                    options = options.withPort(Integer.parseInt(args[++i]));
                } else {
                    throw new IllegalArgumentException(arg.equals("-h") || arg.equals("--help") ? ""
                            : "unknown or incomplete argument: " + arg);
                }
            }
            return options;
        }
    }

    /** One line of the server's output, with the milliseconds since the demo started at which it was read. */
    public record Line(long millis, String text) {
    }

    /**
     * What happened. Times are milliseconds since the demo started; -1 when it did not happen.
     *
     * @param exitCode       the launcher's exit code: 0 the receipt was sent before the server exited, 1 not, 2 could not run
     * @param problem        why the demo could not run or went wrong, or null
     * @param status         the HTTP status of the order, or -1
     * @param requestAt      when the order was sent
     * @param responseMillis how long the order took to answer, or -1
     * @param responseAt     when the response had been read
     * @param receiptAt      when the line "receipt 42 sent" was read from the server's output
     * @param sigtermAt      when SIGTERM was sent
     * @param exitAt         when the server's JVM had exited (by itself, after SIGTERM)
     * @param serverExitCode the server JVM's exit code, or -1
     * @param killed         the server did not exit within the bound and was killed
     * @param lines          the server's output
     */
    public record Result(int exitCode, String problem, int status, long requestAt, long responseMillis, long responseAt,
                         long receiptAt, long sigtermAt, long exitAt, int serverExitCode, boolean killed,
                         List<Line> lines) {

        /** Lines in the server's pipe were all written before its JVM exited: present means sent in time. */
        public boolean receiptSent() {
            return receiptAt >= 0;
        }

        public long sigtermToExitMillis() {
            return sigtermAt >= 0 && exitAt >= 0 ? exitAt - sigtermAt : -1;
        }

        public String output() {
            StringBuilder b = new StringBuilder();
            for (Line line : lines) {
                b.append(String.format("%6d ms | %s%n", line.millis(), line.text()));
            }
            return b.toString();
        }

        static Result failed(int exitCode, String problem) {
            return new Result(exitCode, problem, -1, -1, -1, -1, -1, -1, -1, -1, false, List.of());
        }
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = e.getMessage().isEmpty();
            PrintStream to = help ? System.out : System.err;
            if (!help) {
                to.println(DEMO + e.getMessage());
            }
            to.println(USAGE);
            System.exit(help ? 0 : 2);
            return;
        }
        Result result = run(options, System.out);
        System.out.flush();
        System.exit(result.exitCode());
    }

    /** Runs the demo, writing what happens to {@code out}. Never leaves the server's JVM running. */
    public static Result run(Options options, PrintStream out) {
        if (options.agentJar() != null && !Files.isRegularFile(options.agentJar())) {
            String problem = "the agent jar is missing: " + options.agentJar().toAbsolutePath().normalize();
            out.println(DEMO + problem);
            out.println(DEMO + BUILD_FIRST + "   (or give its path: --agent <path>)");
            return Result.failed(2, problem + "; " + BUILD_FIRST);
        }
        long t0 = System.nanoTime();
        List<String> command = command(options);
        out.println(DEMO + "starting the server: " + display(command));
        Process server;
        try {
            server = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            out.println(DEMO + "cannot start the server: " + e);
            return Result.failed(2, "cannot start " + command.get(0) + ": " + e);
        }
        try {
            return drive(options, server, t0, out);
        } finally {
            if (server.isAlive()) {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
            }
        }
    }

    private static Result drive(Options options, Process server, long t0, PrintStream out) {
        ServerOutput output = new ServerOutput(server.getInputStream(), out, t0);
        try {
            server.getOutputStream().close(); // no standard input
        } catch (IOException ignored) {
            // nothing to close
        }

        int port = output.awaitPort(TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS));
        if (port < 0) {
            String problem = server.isAlive()
                    ? "the server did not start within " + START_TIMEOUT_SECONDS + " s"
                    : "the server exited (code " + server.exitValue() + ") before it started";
            out.println(DEMO + problem);
            return new Result(2, problem, -1, -1, -1, -1, -1, -1, -1, -1, false, output.lines());
        }

        warmUp(port, out);

        int status = -1;
        long responseMillis = -1;
        long responseAt = -1;
        String problem = null;
        long before = System.nanoTime();
        HttpURLConnection http = null;
        try {
            http = (HttpURLConnection) URI.create(
                    "http://127.0.0.1:" + port + "/shop/order?id=" + ORDER_ID).toURL().openConnection();
            http.setRequestMethod("POST");
            http.setConnectTimeout(HTTP_TIMEOUT_MILLIS);
            http.setReadTimeout(HTTP_TIMEOUT_MILLIS);
            http.setDoOutput(true);
            http.getOutputStream().close(); // empty body
            status = http.getResponseCode();
            InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream();
            String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8).trim();
            long after = System.nanoTime();
            responseMillis = TimeUnit.NANOSECONDS.toMillis(after - before);
            responseAt = millis(t0, after);
            out.println(DEMO + "response " + status + " in " + responseMillis + " ms" + (text.isEmpty() ? "" : ": " + text));
            if (status != 202) {
                problem = "expected 202, got " + status;
            }
        } catch (IOException e) {
            problem = "POST /shop/order?id=" + ORDER_ID + " failed: " + e;
            out.println(DEMO + problem);
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }

        sleep(PAUSE_BEFORE_SIGTERM_MILLIS);
        long sigtermNanos = System.nanoTime();
        // SIGTERM on Unix: the JVM runs its shutdown hooks. Through the ProcessHandle, because Process.destroy()
        // also closes our end of the server's output, and the lines written during the shutdown are the point.
        server.toHandle().destroy();
        out.println(DEMO + (options.untracked()
                ? "SIGTERM sent; the task is not tracked, nothing waits for it"
                : "SIGTERM sent; the server waits for its pending task"));

        boolean exited = waitFor(server, TimeUnit.SECONDS.toNanos(EXIT_TIMEOUT_SECONDS));
        long exitNanos = System.nanoTime();
        boolean killed = false;
        if (!exited) {
            out.println(DEMO + "the server did not exit within " + EXIT_TIMEOUT_SECONDS + " s of SIGTERM; killing it");
            killed = true;
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
            waitFor(server, TimeUnit.SECONDS.toNanos(10));
        }
        output.awaitEnd(TimeUnit.SECONDS.toNanos(5));
        int serverExitCode = server.isAlive() ? -1 : server.exitValue();

        long receiptAt = output.receiptAt();
        boolean sent = receiptAt >= 0 && !killed;
        Result result = new Result(sent ? 0 : 1, problem, status, millis(t0, before), responseMillis, responseAt, receiptAt,
                millis(t0, sigtermNanos), killed ? -1 : millis(t0, exitNanos), serverExitCode, killed, output.lines());
        summarize(result, out);
        return result;
    }

    /**
     * One GET first, shown with its time: a fresh JVM answers its first request slowly, with or without
     * the agent (classes load, and with the agent the container's request classes are instrumented as
     * they load). The order that follows shows what a request costs once the server is running.
     */
    private static void warmUp(int port, PrintStream out) {
        long start = System.nanoTime();
        HttpURLConnection http = null;
        try {
            http = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/shop/order").toURL().openConnection();
            http.setConnectTimeout(HTTP_TIMEOUT_MILLIS);
            http.setReadTimeout(HTTP_TIMEOUT_MILLIS);
            int status = http.getResponseCode();
            InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream();
            if (body != null) {
                body.readAllBytes();
            }
            out.println(DEMO + "first request (fresh JVM, classes still loading): GET answered " + status + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        } catch (IOException e) {
            out.println(DEMO + "first request failed: " + e);
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }

    private static void summarize(Result r, PrintStream out) {
        String receipt = "receipt " + ORDER_ID + " sent";
        out.println(DEMO + "---- summary ----");
        out.println(DEMO + "response:          " + (r.status() < 0 ? "none (" + r.problem() + ")"
                : r.status() + " in " + r.responseMillis() + " ms"));
        if (r.receiptSent()) {
            out.println(DEMO + receipt + ":   yes, " + (r.receiptAt() - r.responseAt()) + " ms after the response and "
                    + (r.receiptAt() - r.sigtermAt()) + " ms after SIGTERM, before the server's JVM exited");
        } else {
            out.println(DEMO + receipt + ":   NO, the task was lost when the server's JVM exited");
        }
        out.println(DEMO + "SIGTERM to exit:   " + (r.killed()
                ? "more than " + EXIT_TIMEOUT_SECONDS + " s (killed)"
                : r.sigtermToExitMillis() + " ms (exit code " + r.serverExitCode() + ")"));
        if (r.problem() != null) {
            out.println(DEMO + "problem:           " + r.problem());
        }
        out.println(DEMO + (r.exitCode() == 0
                ? "OK: the task finished before the server exited"
                : "FAILED: the server exited before the task finished"));
    }

    static List<String> command(Options options) {
        List<String> command = new ArrayList<>();
        String exe = System.getProperty("os.name", "").startsWith("Windows") ? "java.exe" : "java";
        command.add(Path.of(System.getProperty("java.home"), "bin", exe).toString());
        if (options.agentJar() != null) {
            command.add("-javaagent:" + options.agentJar().toAbsolutePath().normalize() + "=debug=true");
        }
        command.add("-Djava.util.logging.SimpleFormatter.format=" + JUL_FORMAT);
        command.add("-cp");
        command.add(options.classPath());
        command.add(DemoServer.class.getName());
        command.add(Integer.toString(options.port()));
        if (options.untracked()) {
            command.add("--untracked");
        }
        return command;
    }

    /** The command as the reader would type it: paths under the working directory shortened, no JUL format. */
    private static String display(List<String> command) {
        Path cwd = Path.of("").toAbsolutePath();
        List<String> shown = new ArrayList<>();
        for (String part : command) {
            if (part.startsWith("-Djava.util.logging.SimpleFormatter.format=")) {
                continue;
            }
            shown.add(part.replace(cwd + java.io.File.separator, ""));
        }
        shown.set(0, "java");
        return String.join(" ", shown);
    }

    /** {@code <repo>/agent/target/wait-until-agent.jar}, seen from {@code <repo>/demo/target/wait-until-demo.jar}. */
    static Path defaultAgentJar() {
        return ownLocation().getParent().resolve("../../agent/target/wait-until-agent.jar").normalize();
    }

    /** This jar; or, when run from a classes directory (an IDE), the JVM's own class path. */
    static String ownClassPath() {
        Path location = ownLocation();
        return Files.isRegularFile(location) ? location.toString() : System.getProperty("java.class.path");
    }

    private static Path ownLocation() {
        try {
            return Path.of(DemoLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the demo jar", e);
        }
    }

    private static long millis(long t0, long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos - t0);
    }

    private static boolean waitFor(Process process, long nanos) {
        try {
            return process.waitFor(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the server's output on a thread of its own, echoes it with {@value #SERVER}, and keeps it. */
    private static final class ServerOutput {
        private final List<Line> lines = Collections.synchronizedList(new ArrayList<>());
        private final CompletableFuture<Integer> port = new CompletableFuture<>();
        private final CompletableFuture<Void> end = new CompletableFuture<>();
        private final String receipt = " " + DemoServer.RECEIPT + ORDER_ID + " sent";
        private volatile long receiptAt = -1;

        ServerOutput(InputStream in, PrintStream out, long t0) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        long at = millis(t0, System.nanoTime());
                        lines.add(new Line(at, line));
                        out.println(SERVER + line);
                        Matcher started = STARTED.matcher(line);
                        if (!port.isDone() && started.find()) {
                            port.complete(Integer.parseInt(started.group(1)));
                        }
                        if (receiptAt < 0 && line.endsWith(receipt)) {
                            receiptAt = at;
                        }
                    }
                } catch (IOException e) {
                    out.println(DEMO + "reading the server's output failed: " + e);
                } finally {
                    port.complete(-1);
                    end.complete(null);
                }
            }, "server output");
            reader.setDaemon(true);
            reader.start();
        }

        /** The port from the started line; -1 if the server exits first or the time runs out. */
        int awaitPort(long nanos) {
            try {
                return port.get(nanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        void awaitEnd(long nanos) {
            try {
                end.get(nanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // the lines read so far are what we have
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        long receiptAt() {
            return receiptAt;
        }

        List<Line> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }
}
