package dev.waituntil.benchmarks.server;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the pieces are, found from the benchmark's own jar ({@code benchmarks/target/benchmarks.jar}):
 * <ul>
 * <li>{@code benchmarks/target/benchmarks-hello.jar}: the hello servers ({@code dev.waituntil.benchmarks.server.hello});
 * <li>{@code benchmarks/target/servers/jetty12/*.jar}, {@code .../tomcat10/*.jar}: each server's jars, copied by the build;
 * <li>{@code benchmarks/target/distributions/tomcat10/}, {@code .../jetty12/}: the standalone distributions of the
 * start-up benchmark, unpacked by the build (checked when used);
 * <li>{@code agent/target/wait-until-agent.jar}: the agent, unless {@code --agent <path>} names another.
 * </ul>
 * A server JVM gets the hello jar and its own server's jars only, as a deployed application would: not JMH,
 * not the other server.
 */
public final class Layout {

    private final Path target;
    private final Path agentJar;
    private final Path java;

    private Layout(Path target, Path agentJar, Path java) {
        this.target = target;
        this.agentJar = agentJar;
        this.java = java;
    }

    /** {@code agentOverride}: a path given on the command line, or null for {@code agent/target/wait-until-agent.jar}. */
    public static Layout find(String agentOverride) {
        Path self;
        try {
            self = Paths.get(Layout.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the benchmark classes were loaded from: " + e, e);
        }
        // benchmarks/target/benchmarks.jar, or benchmarks/target/classes when run from an IDE
        Path target = self.getParent().toAbsolutePath().normalize();
        Path agent = agentOverride != null
                ? Paths.get(agentOverride)
                : target.resolve("../../agent/target/wait-until-agent.jar").normalize();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Layout layout = new Layout(target, agent.toAbsolutePath().normalize(), java);
        layout.check();
        return layout;
    }

    private void check() {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(helloJar())) {
            missing.add(helloJar().toString());
        }
        for (ServerKind kind : ServerKind.values()) {
            if (!Files.isDirectory(target.resolve("servers").resolve(kind.jarDirectory()))) {
                missing.add(target.resolve("servers").resolve(kind.jarDirectory()) + "/");
            }
        }
        if (!Files.isRegularFile(agentJar)) {
            missing.add(agentJar.toString());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing " + String.join(", ", missing)
                    + "; build first: ./mvnw -B -q package -DskipTests (from the repository's root)");
        }
    }

    /** {@code benchmarks/target/distributions}: the standalone servers the build unpacked, one directory each. */
    public Path distributions() {
        return target.resolve("distributions");
    }

    public Path helloJar() {
        return target.resolve("benchmarks-hello.jar");
    }

    public Path agentJar() {
        return agentJar;
    }

    /** The same layout with another agent jar; {@code jar} null keeps this one. */
    public Layout withAgent(Path jar) {
        if (jar == null) {
            return this;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no agent jar " + jar);
        }
        return new Layout(target, jar.toAbsolutePath().normalize(), java);
    }

    /** The {@code java} of the JVM running the benchmark: the server JVMs use the same one. */
    public Path java() {
        return java;
    }

    /** The class path of a server JVM: the hello jar, then the server's own jars. */
    public String classpath(ServerKind kind) {
        List<String> entries = new ArrayList<>();
        entries.add(helloJar().toString());
        try (Stream<Path> jars = Files.list(target.resolve("servers").resolve(kind.jarDirectory()))) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the jars of " + kind.displayName() + ": " + e, e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
