package dev.waituntil.it.support;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A child JVM started for a test: {@code java [-javaagent:...] [-D...] -cp ... Main args}, or a distribution's
 * launcher script that ends in {@code exec java ...} ({@link Builder#script}).
 *
 * <p>Standard output and standard error go into one pipe, so that the lines keep the order in which
 * the child wrote them (the program's {@code System.out} and the {@code java.util.logging} console
 * handler's {@code System.err}). Every line is kept with the milliseconds since the start at which it
 * was read. The exit time is recorded when the operating system reports the exit, both as
 * milliseconds since start and as wall-clock time, so that it can be compared with time stamps the
 * child prints itself ({@code System.currentTimeMillis()}: same machine, same clock).
 *
 * <p>Every wait is bounded; {@link #close()} kills the process and any children it started.
 * Use it in try-with-resources.
 */
public final class JavaProcess implements AutoCloseable {

    /** One line of output: milliseconds since start when it was read, and its text. */
    public record Line(long millis, String text) {
        @Override
        public String toString() {
            return String.format("%6d ms | %s", millis, text);
        }
    }

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Process process;
    private final long startNanos;
    private final long startWallMillis;
    private final List<Line> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;
    private final java.util.concurrent.CompletableFuture<Void> exitRecorded;
    private volatile long exitNanos = -1;
    private volatile long exitWallMillis = -1;

    private JavaProcess(String name, List<String> command, Map<String, String> environment, ProcessBuilder builder)
            throws IOException {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = environment;
        this.startWallMillis = System.currentTimeMillis();
        this.startNanos = System.nanoTime();
        this.process = builder.start();
        this.exitRecorded = process.onExit().thenRun(() -> {
            exitNanos = System.nanoTime();
            exitWallMillis = System.currentTimeMillis();
        });
        process.getOutputStream().close(); // no standard input: a program that reads it sees EOF, never hangs
        this.reader = new Thread(this::readOutput, "output of " + name);
        reader.setDaemon(true);
        reader.start();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    private void readOutput() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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

    /**
     * Waits for the process to exit and for its output to be read to the end.
     *
     * @return the exit code
     * @throws AssertionError if it has not exited within {@code timeout}; it is killed first and the
     *         message holds its output so far
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            destroy();
            throw new AssertionError(
                    name + " did not exit within " + timeout.toSeconds() + " s; killed it.\n" + describe());
        }
        // The pipe closes when the last holder exits; a grandchild could keep it open, so bound this too.
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + 5_000);
        if (reader.isAlive()) {
            throw new AssertionError(
                    name + " exited but its output did not end (a child process still holds it).\n" + describe());
        }
        try {
            exitRecorded.get(10, TimeUnit.SECONDS); // onExit() reports asynchronously
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(name + ": the exit was not reported: " + e + "\n" + describe(), e);
        }
        return process.exitValue();
    }

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

    /**
     * SIGTERM ({@code ProcessHandle.destroy()} on a Unix-like system), as a service manager or a container runtime
     * sends it. Through the handle: {@code Process.destroy()} would also close the pipe, and the output of the stop
     * (the drain's lines) would be lost.
     */
    public void sigterm() {
        ProcessHandle handle = ProcessHandle.of(process.pid())
                .orElseThrow(() -> new AssertionError(this + " is gone before SIGTERM\n" + describe()));
        if (!handle.destroy()) {
            throw new AssertionError("could not send SIGTERM to " + this);
        }
    }

    /** Kills the process and every process it started; waits (bounded) until they are gone. */
    public void destroy() {
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            destroy();
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Milliseconds from start to exit, once it has exited. */
    public OptionalLong exitMillis() {
        long n = exitNanos;
        return n < 0 ? OptionalLong.empty() : OptionalLong.of(sinceStart(n));
    }

    /** {@code System.nanoTime()} at the exit, once it has exited: to measure from an instant the test took. */
    public OptionalLong exitNanos() {
        long n = exitNanos;
        return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
    }

    /** Wall-clock time ({@code System.currentTimeMillis()}) of the exit, once it has exited. */
    public OptionalLong exitWallMillis() {
        long t = exitWallMillis;
        return t < 0 ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** Wall-clock time just before the process was started. */
    public long startWallMillis() {
        return startWallMillis;
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

    public Optional<Line> firstLineContaining(String text) {
        return firstLine(s -> s.contains(text));
    }

    public int indexOfLineContaining(String text) {
        List<String> all = texts();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    public long countLinesContaining(String text) {
        return lines().stream().filter(l -> l.text().contains(text)).count();
    }

    public List<String> linesContaining(String text) {
        return texts().stream().filter(s -> s.contains(text)).collect(Collectors.toList());
    }

    /** The command, the environment given, the exit and every line with its time: for assertion messages. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append("---- ").append(name).append(" (pid ").append(process.pid()).append(")\n");
        b.append("command: ").append(String.join(" ", command)).append('\n');
        environment.forEach((k, v) -> {
            if (v != null) {
                b.append("  ").append(k).append('=').append(v).append('\n');
            }
        });
        if (process.isAlive()) {
            b.append("still running\n");
        } else {
            b.append("exit code ").append(process.exitValue());
            exitMillis().ifPresent(ms -> b.append(" after ").append(ms).append(" ms"));
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

    /** What to start. */
    public static final class Builder {
        private final String name;
        private Path javaHome = Path.of(System.getProperty("java.home"));
        private final List<Path> classpath = new ArrayList<>();
        private Path agentJar;
        private String agentArguments;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private String mainClass;
        private final List<String> arguments = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path directory;
        private List<String> script;

        private Builder(String name) {
            this.name = name;
        }

        /** The JDK or JRE to run; by default the one running the tests. */
        public Builder javaHome(Path home) {
            this.javaHome = home;
            return this;
        }

        public Builder classpath(Path... entries) {
            Collections.addAll(classpath, entries);
            return this;
        }

        public Builder javaAgent(Path jar) {
            return javaAgent(jar, null);
        }

        /** {@code -javaagent:jar[=arguments]} */
        public Builder javaAgent(Path jar, String arguments) {
            this.agentJar = jar;
            this.agentArguments = arguments;
            return this;
        }

        public Builder systemProperty(String key, String value) {
            systemProperties.put(key, value);
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public Builder mainClass(String className, String... args) {
            this.mainClass = className;
            Collections.addAll(arguments, args);
            return this;
        }

        /** {@code java -jar <jar> <args>} instead of a main class. */
        public Builder executableJar(Path jar, String... args) {
            this.mainClass = "-jar";
            arguments.add(jar.toAbsolutePath().toString());
            Collections.addAll(arguments, args);
            return this;
        }

        /**
         * {@code /bin/sh <script> <args>} in place of {@code java ... main}: a distribution's own launcher, which
         * builds the JVM's command line from the environment ({@code catalina.sh run} ends in {@code exec java}).
         * The settings of this builder that make up a java command line do not apply to it.
         */
        public Builder script(Path script, String... args) {
            List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
            Collections.addAll(command, args);
            this.script = command;
            return this;
        }

        /** An environment variable for the child; {@code null} removes an inherited one. */
        public Builder environment(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        public JavaProcess start() throws IOException {
            List<String> command = script != null ? scriptCommand() : javaCommand();
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            Map<String, String> env = builder.environment();
            // Nothing from the test JVM's environment may change what the child does: no settings of
            // ours, no options the launcher would pick up (they also print "Picked up ..." lines).
            env.keySet().removeIf(k -> k.startsWith("WAITUNTIL_"));
            env.remove("JAVA_TOOL_OPTIONS");
            env.remove("JDK_JAVA_OPTIONS");
            env.remove("_JAVA_OPTIONS");
            environment.forEach((k, v) -> {
                if (v == null) {
                    env.remove(k);
                } else {
                    env.put(k, v);
                }
            });
            return new JavaProcess(name, command, new LinkedHashMap<>(environment), builder);
        }

        private List<String> scriptCommand() {
            if (mainClass != null
                    || agentJar != null
                    || !classpath.isEmpty()
                    || !systemProperties.isEmpty()
                    || !jvmOptions.isEmpty()) {
                throw new IllegalStateException("a launcher script takes its java options from the environment");
            }
            return script;
        }

        private List<String> javaCommand() {
            if (mainClass == null) {
                throw new IllegalStateException("no main class given");
            }
            Path java = javaHome.resolve("bin").resolve(isWindows() ? "java.exe" : "java");
            if (!Files.isExecutable(java)) {
                throw new IllegalStateException("no java executable at " + java);
            }
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            if (agentJar != null) {
                command.add("-javaagent:" + agentJar.toAbsolutePath()
                        + (agentArguments == null ? "" : "=" + agentArguments));
            }
            command.addAll(jvmOptions);
            systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            if (!classpath.isEmpty()) {
                command.add("-cp");
                command.add(classpath.stream()
                        .map(p -> p.toAbsolutePath().toString())
                        .collect(Collectors.joining(File.pathSeparator)));
            }
            command.add(mainClass);
            command.addAll(arguments);
            return command;
        }

        private static boolean isWindows() {
            return System.getProperty("os.name", "")
                    .toLowerCase(java.util.Locale.ROOT)
                    .startsWith("windows");
        }
    }
}
