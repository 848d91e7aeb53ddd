package dev.waituntil.demo;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The whole demo in one command: {@code java -jar demo/target/wait-until-demo.jar}.
 *
 * <ol>
 *   <li>starts {@link DemoServer} in a child JVM, with {@code -javaagent:<agent jar>=debug=true} and this jar
 *       as its class path, and shows its output prefixed with {@value #SERVER};</li>
 *   <li>sends one GET to warm the fresh JVM up, then {@code POST /shop/order?id=42}, and shows how fast each came
 *       back;</li>
 *   <li>half a second later stops the server with SIGTERM, as a deploy or {@code docker stop} would;</li>
 *   <li>waits (at most {@value #EXIT_TIMEOUT_SECONDS} s) for the server's JVM to exit and sums up: was the
 *       receipt sent before the JVM exited, and how long did the exit take.</li>
 * </ol>
 *
 * <p>Exit code 0 when the receipt was sent before the server exited, 1 when it was not, 2 when the demo
 * could not run (no agent jar, bad arguments, the server did not start). Options: {@code --agent <path>}
 * (default: the agent jar built next to this one, {@code ../../agent/target/wait-until-agent.jar}),
 * {@code --no-agent}, {@code --plain-pool} (the server hands the work to a plain thread pool instead of
 * {@code WaitUntil}: without the agent, the control, in which the receipt is lost; with it, the agent's zero-code
 * capture tracks the hand-over), {@code --spring-boot} (the same shop as a Spring Boot 4 application with the
 * starter, built next to this jar: while the receipt is pending, the demo shows the {@code waituntil} endpoint and
 * the meters on {@code /actuator/prometheus}), {@code --port <n>}.
 *
 * <p>SIGTERM is what {@link ProcessHandle#destroy()} sends on Linux and macOS. On Windows it terminates the
 * process at once, with no shutdown hooks, so the demo cannot show a drain there.
 *
 * <p>{@link #run(DemoOptions, PrintStream)} does the same in-process and returns a {@link DemoResult}; DemoIT
 * uses it.
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

    static final String USAGE = String.join(
            System.lineSeparator(),
            "usage: java -jar wait-until-demo.jar [--agent <path> | --no-agent] [--plain-pool | --spring-boot]"
                    + " [--port <n>]",
            "  --agent <path>  the agent jar (default: ../../agent/target/wait-until-agent.jar from this jar)",
            "  --no-agent      run the server without the agent (the API's standalone mode)",
            "  --plain-pool    the server hands the work to a plain thread pool, with no WaitUntil call: lost without",
            "                  the agent (the control), captured and waited for with it",
            "  --spring-boot   the shop as a Spring Boot application with wait-until-spring-boot-starter: shows the",
            "                  waituntil endpoint and the meters while the receipt is pending",
            "  --port <n>      the server's port (default 0: any free port)",
            "exit code: 0 the receipt was sent before the server exited, 1 it was not, 2 the demo could not run");

    private DemoLauncher() {}

    public static void main(String[] args) {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
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
        DemoResult result = run(options, System.out);
        System.out.flush();
        System.exit(result.exitCode());
    }

    /** Runs the demo, writing what happens to {@code out}. Never leaves the server's JVM running. */
    public static DemoResult run(DemoOptions options, PrintStream out) {
        if (options.agentJar() != null && !Files.isRegularFile(options.agentJar())) {
            String problem = "the agent jar is missing: "
                    + options.agentJar().toAbsolutePath().normalize();
            out.println(DEMO + problem);
            out.println(DEMO + BUILD_FIRST + "   (or give its path: --agent <path>)");
            return DemoResult.failed(2, problem + "; " + BUILD_FIRST);
        }
        if (options.springBootJar() != null && !Files.isRegularFile(options.springBootJar())) {
            String problem = "the Spring Boot shop is missing: "
                    + options.springBootJar().toAbsolutePath().normalize();
            out.println(DEMO + problem);
            out.println(DEMO + BUILD_FIRST);
            return DemoResult.failed(2, problem + "; " + BUILD_FIRST);
        }
        long t0 = System.nanoTime();
        List<String> command = command(options);
        out.println(DEMO + "starting the server: " + display(command));
        Process server;
        try {
            server = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            out.println(DEMO + "cannot start the server: " + e);
            return DemoResult.failed(2, "cannot start " + command.get(0) + ": " + e);
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

    private static DemoResult drive(DemoOptions options, Process server, long t0, PrintStream out) {
        ServerOutput output = new ServerOutput(server.getInputStream(), out, t0);
        try {
            server.getOutputStream().close(); // no standard input
        } catch (IOException ignored) {
            // nothing to close
        }

        int port = output.awaitPort(TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS));
        if (port < 0) {
            return notStarted(server, output, out);
        }

        ShopClient shop = new ShopClient(port, t0, out);
        shop.warmUp();
        DemoResult.Builder result = new DemoResult.Builder();
        shop.order(result);
        if (options.springBootJar() != null) {
            shop.showWhatThePendingTaskLooksLike();
        }
        sleep(PAUSE_BEFORE_SIGTERM_MILLIS);
        stop(server, options.plainPool() && options.agentJar() == null, t0, result, out);
        output.awaitEnd(TimeUnit.SECONDS.toNanos(5));

        long receiptAt = output.receiptAt();
        boolean sent = receiptAt >= 0 && !result.isKilled();
        DemoResult done = result.exitCode(sent ? 0 : 1)
                .receiptAt(receiptAt)
                .serverExitCode(server.isAlive() ? -1 : server.exitValue())
                .lines(output.lines())
                .build();
        done.printSummary(out);
        return done;
    }

    private static DemoResult notStarted(Process server, ServerOutput output, PrintStream out) {
        String problem = server.isAlive()
                ? "the server did not start within " + START_TIMEOUT_SECONDS + " s"
                : "the server exited (code " + server.exitValue() + ") before it started";
        out.println(DEMO + problem);
        return new DemoResult.Builder()
                .exitCode(2)
                .problem(problem)
                .lines(output.lines())
                .build();
    }

    /**
     * SIGTERM, as a deploy or {@code docker stop} sends it, and the wait for the server's JVM to exit by itself;
     * killed only past {@value #EXIT_TIMEOUT_SECONDS} s.
     */
    private static void stop(Process server, boolean untracked, long t0, DemoResult.Builder result, PrintStream out) {
        long sigtermNanos = System.nanoTime();
        // SIGTERM on Unix: the JVM runs its shutdown hooks. Through the ProcessHandle, because Process.destroy()
        // also closes our end of the server's output, and the lines written during the shutdown are the point.
        server.toHandle().destroy();
        out.println(DEMO
                + (untracked
                        ? "SIGTERM sent; the task is not tracked, nothing waits for it"
                        : "SIGTERM sent; the server waits for its pending task"));
        result.sigtermAt(millis(t0, sigtermNanos));

        boolean exited = waitFor(server, TimeUnit.SECONDS.toNanos(EXIT_TIMEOUT_SECONDS));
        long exitNanos = System.nanoTime();
        if (exited) {
            result.exitAt(millis(t0, exitNanos));
            return;
        }
        out.println(DEMO + "the server did not exit within " + EXIT_TIMEOUT_SECONDS + " s of SIGTERM; killing it");
        result.killed();
        server.descendants().forEach(ProcessHandle::destroyForcibly);
        server.destroyForcibly();
        waitFor(server, TimeUnit.SECONDS.toNanos(10));
    }

    static List<String> command(DemoOptions options) {
        List<String> command = new ArrayList<>();
        String exe = System.getProperty("os.name", "").startsWith("Windows") ? "java.exe" : "java";
        command.add(Path.of(System.getProperty("java.home"), "bin", exe).toString());
        if (options.springBootJar() != null) {
            if (options.agentJar() != null) {
                // No debug lines: the demo shows what an operator sees, the endpoint and the meters.
                command.add("-javaagent:" + options.agentJar().toAbsolutePath().normalize());
            }
            command.add("-jar");
            command.add(options.springBootJar().toAbsolutePath().normalize().toString());
            command.add("--server.port=" + options.port());
            return command;
        }
        if (options.agentJar() != null) {
            command.add("-javaagent:" + options.agentJar().toAbsolutePath().normalize() + "=debug=true");
        }
        command.add("-Djava.util.logging.SimpleFormatter.format=" + JUL_FORMAT);
        command.add("-cp");
        command.add(options.classPath());
        command.add(DemoServer.class.getName());
        command.add(Integer.toString(options.port()));
        if (options.plainPool()) {
            command.add("--plain-pool");
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
            shown.add(part.replace(cwd + File.separator, ""));
        }
        shown.set(0, "java");
        return String.join(" ", shown);
    }

    /** {@code <repo>/agent/target/wait-until-agent.jar}, seen from {@code <repo>/demo/target/wait-until-demo.jar}. */
    static Path defaultAgentJar() {
        return ownLocation()
                .getParent()
                .resolve("../../agent/target/wait-until-agent.jar")
                .normalize();
    }

    /** The Spring Boot shop, {@code <repo>/demo-spring-boot/target/wait-until-demo-spring-boot.jar}. */
    static Path defaultSpringBootJar() {
        return ownLocation()
                .getParent()
                .resolve("../../demo-spring-boot/target/wait-until-demo-spring-boot.jar")
                .normalize();
    }

    /** This jar; or, when run from a classes directory (an IDE), the JVM's own class path. */
    static String ownClassPath() {
        Path location = ownLocation();
        return Files.isRegularFile(location) ? location.toString() : System.getProperty("java.class.path");
    }

    private static Path ownLocation() {
        try {
            return Path.of(DemoLauncher.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the demo jar", e);
        }
    }

    static long millis(long t0, long nanos) {
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
}
