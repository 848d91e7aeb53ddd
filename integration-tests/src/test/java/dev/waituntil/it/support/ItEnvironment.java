package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The built artifacts and the scratch directory, as the failsafe configuration hands them in. */
public final class ItEnvironment {

    private ItEnvironment() {}

    /** {@code agent/target/wait-until-agent.jar} */
    public static Path agentJar() {
        return existingFile("it.agentJar");
    }

    /** {@code api/target/wait-until-api-<version>.jar} */
    public static Path apiJar() {
        return existingFile("it.apiJar");
    }

    /**
     * The directory into which the build copied an embedded container's jars ({@code jetty12},
     * {@code tomcat10}, {@code tomcat9}: {@code target/containers/<name>}), checked to hold jars.
     */
    public static Path containerDir(String name) {
        String property = "it.container." + name;
        Path dir = Path.of(required(property)).toAbsolutePath().normalize();
        try (Stream<Path> files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".jar"))) {
                throw new AssertionError(property + "=" + dir + " holds no jar");
            }
        } catch (IOException e) {
            throw new AssertionError(
                    property + "=" + dir + " cannot be read (" + e + "); the build copies the "
                            + "container there before the integration tests (./mvnw verify)",
                    e);
        }
        return dir;
    }

    /**
     * The jars the build copied for a test web application's {@code WEB-INF/lib} into the directory named by
     * {@code -Dit.webappLibs.<name>} ({@code target/webapp-libs/<name>}), sorted; checked to hold a jar starting
     * with each of {@code expected}, so that a copy the build left out fails here and not inside a server.
     */
    public static List<Path> webappLibs(String name, String... expected) throws IOException {
        String property = "it.webappLibs." + name;
        String value = required(property);
        List<Path> jars;
        try (Stream<Path> files = Files.list(Path.of(value))) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (NoSuchFileException e) {
            throw new AssertionError(
                    property + "=" + value + " does not exist; the build copies the jars there before "
                            + "the integration tests (./mvnw verify)",
                    e);
        }
        for (String prefix : expected) {
            if (jars.stream().noneMatch(j -> j.getFileName().toString().startsWith(prefix))) {
                throw new AssertionError(property + "=" + value + " holds no " + prefix + "*.jar: " + jars);
            }
        }
        return jars;
    }

    /** A fresh, empty directory {@code <it.workDir>/<name>} (left in place after the test, for inspection). */
    public static Path freshWorkDir(String name) throws IOException {
        Path root = Path.of(required("it.workDir")).toAbsolutePath().normalize();
        Path dir = root.resolve(name);
        JavaSources.deleteRecursively(dir);
        return Files.createDirectories(dir);
    }

    /** The version the agent jar says it is ({@code Implementation-Version}), as its start-up line prints it. */
    public static String agentVersion() throws IOException {
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            String version = jar.getManifest() == null
                    ? null
                    : jar.getManifest().getMainAttributes().getValue("Implementation-Version");
            if (version == null) {
                throw new AssertionError(agentJar() + " has no Implementation-Version in its manifest");
            }
            return version;
        }
    }

    /** The start of the line the agent logs once when it starts, up to its settings. */
    public static String agentStartedLine() throws IOException {
        return "wait-until " + agentVersion() + " agent started";
    }

    /**
     * A JDK of the given feature release: {@code -Dit.jdk<feature>=<home>}, else the first under
     * {@code /usr/lib/jvm} whose {@code release} file says so (these machines carry a Temurin 25 there).
     */
    public static Optional<Path> jdk(int feature) {
        String given = System.getProperty("it.jdk" + feature);
        if (given != null && !given.isEmpty()) {
            return Optional.of(Path.of(given));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.sorted().filter(home -> isRelease(home, feature)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isRelease(Path home, int feature) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)
                || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return false;
        }
        try {
            return Files.readAllLines(release).stream()
                    .anyMatch(line -> line.startsWith("JAVA_VERSION=\"" + feature + ".")
                            || line.equals("JAVA_VERSION=\"" + feature + "\""));
        } catch (IOException e) {
            return false;
        }
    }

    private static Path existingFile(String property) {
        Path path = Path.of(required(property)).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new AssertionError(
                    property + "=" + path + " does not exist; build it first (./mvnw verify from the root)");
        }
        return path;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            throw new AssertionError("system property " + property + " is not set; run the integration tests through "
                    + "Maven failsafe (./mvnw verify)");
        }
        return value;
    }
}
