package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An embedded servlet container the tests run: where the build copied its jars, which servlet API
 * it speaks, and the launcher that deploys the test web applications on it.
 */
public enum Container {
    JETTY_12(
            "jetty12",
            "Jetty 12 ee10",
            "jakarta.servlet",
            "jakarta.servlet-api-",
            ServerLaunchers.JETTY_12,
            "launcher.JettyLauncher"),
    TOMCAT_10(
            "tomcat10",
            "Tomcat 10.1",
            "jakarta.servlet",
            "tomcat-embed-core-",
            ServerLaunchers.TOMCAT,
            "launcher.TomcatLauncher"),
    TOMCAT_9(
            "tomcat9",
            "Tomcat 9.0",
            "javax.servlet",
            "tomcat-embed-core-",
            ServerLaunchers.TOMCAT,
            "launcher.TomcatLauncher");

    private final String id;
    private final String displayName;
    private final String servletPackage;
    private final String servletApiJarPrefix;
    private final String launcherSource;
    private final String launcherClass;

    Container(
            String id,
            String displayName,
            String servletPackage,
            String servletApiJarPrefix,
            String launcherSource,
            String launcherClass) {
        this.id = id;
        this.displayName = displayName;
        this.servletPackage = servletPackage;
        this.servletApiJarPrefix = servletApiJarPrefix;
        this.launcherSource = launcherSource;
        this.launcherClass = launcherClass;
    }

    /** {@code jetty12}, {@code tomcat10}, {@code tomcat9}: the directory name under {@code target/containers}. */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** {@code javax.servlet} or {@code jakarta.servlet} */
    public String servletPackage() {
        return servletPackage;
    }

    /** Every jar of the container, as the build copied them: the server JVM's class path. */
    public List<Path> jars() {
        try (Stream<Path> files = Files.list(ItEnvironment.containerDir(id))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot list the jars of " + displayName + ": " + e, e);
        }
    }

    /** The jar that holds the servlet API the web applications compile against (Tomcat's core jar has it). */
    public Path servletApiJar() {
        return jars().stream()
                .filter(j -> j.getFileName().toString().startsWith(servletApiJarPrefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + servletApiJarPrefix + "*.jar among " + jars()));
    }

    /**
     * Compiles the launcher into {@code <dir>/launcher-classes} against the container's jars. Release 17:
     * the launcher runs on the build JDK, and Jetty 12 itself needs 17.
     */
    public Path compileLauncher(Path dir) throws IOException {
        return JavaSources.compile(dir.resolve("launcher-classes"), jars(), 17, launcherSource);
    }

    public String launcherClass() {
        return launcherClass;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
