package dev.waituntil.benchmarks.server;

import dev.waituntil.benchmarks.server.hello.HelloServlet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One hello server in a JVM of its own, with the agent or without. Its standard output and error go, merged,
 * to a log file; a reader thread watches them for the {@code STARTED <port>} and {@code AGENT <bool>} lines.
 */
public final class ServerProcess implements AutoCloseable {

    private final ServerKind kind;
    private final boolean withAgent;
    private final Process process;
    private final Path scratch;
    private final Path log;
    private final long launchedNanos;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final CompletableFuture<Long> startedNanos = new CompletableFuture<>();
    private final CompletableFuture<Boolean> agentActive = new CompletableFuture<>();
    private final List<String> command;

    private ServerProcess(ServerKind kind, boolean withAgent, List<String> command, Path scratch, Path log)
            throws IOException {
        this.kind = kind;
        this.withAgent = withAgent;
        this.command = command;
        this.scratch = scratch;
        this.log = log;
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        this.launchedNanos = System.nanoTime();
        this.process = builder.start();
        Thread reader = new Thread(this::readOutput, "server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code kind}: {@code java [jvmArgs] [-javaagent:<agent>[=agentArgs]] -cp <hello jar, server jars> <main> <port>}.
     * {@code prefix} goes before {@code java} (e.g. {@code taskset -c 0}); {@code port} 0 lets the server choose.
     * The time of launch is taken right before the process is spawned.
     */
    public static ServerProcess launch(
            Layout layout,
            ServerKind kind,
            boolean withAgent,
            String agentArgs,
            List<String> prefix,
            List<String> jvmArgs,
            int port,
            Path log)
            throws IOException {
        Path scratch = Files.createTempDirectory("wait-until-bench-" + kind.id() + "-");
        List<String> command = new ArrayList<>(prefix);
        command.add(layout.java().toString());
        command.addAll(jvmArgs);
        if (withAgent) {
            command.add("-javaagent:" + layout.agentJar()
                    + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs));
        }
        command.add("-cp");
        command.add(layout.classpath(kind));
        command.add(kind.mainClass());
        command.add(String.valueOf(port));
        command.add(scratch.toString());
        Files.createDirectories(log.toAbsolutePath().getParent());
        return new ServerProcess(kind, withAgent, command, scratch, log);
    }

    private void readOutput() {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
            out.println("$ " + String.join(" ", command));
            for (String line; (line = in.readLine()) != null; ) {
                if (!port.isDone() && line.startsWith(HelloServlet.STARTED)) {
                    startedNanos.complete(System.nanoTime());
                    port.complete(Integer.parseInt(
                            line.substring(HelloServlet.STARTED.length()).trim()));
                } else if (!agentActive.isDone() && line.startsWith(HelloServlet.AGENT)) {
                    agentActive.complete(Boolean.parseBoolean(
                            line.substring(HelloServlet.AGENT.length()).trim()));
                }
                out.println(line);
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
        } finally {
            IllegalStateException ended = new IllegalStateException(
                    kind.displayName() + " ended before it reported " + "its port; see " + log);
            port.completeExceptionally(ended);
            startedNanos.completeExceptionally(ended);
            agentActive.completeExceptionally(ended);
        }
    }

    /** Waits (bounded) until the server prints its port, and checks that the agent is there exactly when asked for. */
    public int awaitStarted(long timeoutSeconds) throws IOException, InterruptedException {
        int p = awaitPort(timeoutSeconds);
        checkAgent(timeoutSeconds);
        return p;
    }

    /** Waits (bounded) until the server prints its port. */
    public int awaitPort(long timeoutSeconds) throws IOException, InterruptedException {
        return await(port, timeoutSeconds);
    }

    /** Waits (bounded) for the {@code AGENT} line and fails unless the agent runs exactly when it was asked for. */
    public void checkAgent(long timeoutSeconds) throws IOException, InterruptedException {
        boolean active = await(agentActive, timeoutSeconds);
        if (active != withAgent) {
            throw new IllegalStateException(kind.displayName() + " runs " + (active ? "with" : "without")
                    + " the agent, expected the opposite; see " + log);
        }
    }

    private <T> T await(CompletableFuture<T> value, long timeoutSeconds) throws IOException, InterruptedException {
        try {
            return value.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(kind.displayName() + " did not start within " + timeoutSeconds + " s; see " + log, e);
        }
    }

    /** The port, once {@link #awaitStarted} has returned. */
    public int port() {
        return port.join();
    }

    /** {@link System#nanoTime()} right before the process was spawned. */
    public long launchedNanos() {
        return launchedNanos;
    }

    /** {@link System#nanoTime()} when the {@code STARTED} line was read. */
    public long startedNanos() {
        return startedNanos.join();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public List<String> command() {
        return command;
    }

    /** SIGTERM, then SIGKILL after 10 s; removes the scratch directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: left for the system to clean
        }
    }
}
