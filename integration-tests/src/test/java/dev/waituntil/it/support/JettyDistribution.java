package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A standalone Eclipse Jetty distribution as shipped on Maven Central ({@code jetty-distribution} for 9.4,
 * {@code jetty-home} for 10 and later), unpacked by the build into {@code target/distributions}, and the
 * environment a test web application is deployed in: which modules a fresh {@code JETTY_BASE} needs,
 * which servlet API the application is compiled against, and how {@code start.jar} spells its stop
 * properties.
 */
public enum JettyDistribution {
    JETTY_9_4(
            "it.jetty94.home",
            "Jetty 9.4",
            "javax.servlet",
            "servlet-api-3.1",
            List.of("--add-to-start=http,deploy"),
            "STOP.PORT",
            "STOP.KEY",
            "STOP.WAIT"),
    JETTY_10(
            "it.jetty10.home",
            "Jetty 10",
            "javax.servlet",
            "jetty-servlet-api-4.0.",
            List.of("--add-modules=http,deploy"),
            "stop.port",
            "stop.key",
            "stop.wait"),
    JETTY_11(
            "it.jetty11.home",
            "Jetty 11",
            "jakarta.servlet",
            "jetty-jakarta-servlet-api-5.0.",
            List.of("--add-modules=http,deploy"),
            "stop.port",
            "stop.key",
            "stop.wait"),
    /** Jetty 12's ee8 environment: {@code javax.servlet}, Servlet 4.0. */
    JETTY_12_EE8(
            "it.jetty12.home",
            "Jetty 12 ee8",
            "javax.servlet",
            "jetty-servlet-api-4.0.",
            List.of("--add-modules=http,ee8-deploy"),
            "stop.port",
            "stop.key",
            "stop.wait"),
    /** Jetty 12's ee10 environment: {@code jakarta.servlet}, Servlet 6.0. */
    JETTY_12_EE10(
            "it.jetty12.home",
            "Jetty 12 ee10",
            "jakarta.servlet",
            "jakarta.servlet-api-6.0.",
            List.of("--add-modules=http,ee10-deploy"),
            "stop.port",
            "stop.key",
            "stop.wait"),
    /**
     * Jetty 12.0's ee10 environment: a distribution of its own ({@code it.jetty120.home}), which only the
     * {@code latest} profile unpacks; the constants above run the 12.1 distribution.
     */
    JETTY_12_0_EE10(
            "it.jetty120.home",
            "Jetty 12.0 ee10",
            "jakarta.servlet",
            "jakarta.servlet-api-6.0.",
            List.of("--add-modules=http,ee10-deploy"),
            "stop.port",
            "stop.key",
            "stop.wait"),
    /** Jetty 12.1's ee11 environment: {@code jakarta.servlet}, Servlet 6.1. */
    JETTY_12_EE11(
            "it.jetty12.home",
            "Jetty 12 ee11",
            "jakarta.servlet",
            "jakarta.servlet-api-6.1.",
            List.of("--add-modules=http,ee11-deploy"),
            "stop.port",
            "stop.key",
            "stop.wait");

    private final String homeProperty;
    private final String displayName;
    private final String servletPackage;
    /** The start of the servlet API jar's name in {@code lib}: the distribution's release decides the rest. */
    private final String servletApiJar;

    private final List<String> addModules;
    private final String stopPortProperty;
    private final String stopKeyProperty;
    private final String stopWaitProperty;

    JettyDistribution(
            String homeProperty,
            String displayName,
            String servletPackage,
            String servletApiJar,
            List<String> addModules,
            String stopPortProperty,
            String stopKeyProperty,
            String stopWaitProperty) {
        this.homeProperty = homeProperty;
        this.displayName = displayName;
        this.servletPackage = servletPackage;
        this.servletApiJar = servletApiJar;
        this.addModules = addModules;
        this.stopPortProperty = stopPortProperty;
        this.stopKeyProperty = stopKeyProperty;
        this.stopWaitProperty = stopWaitProperty;
    }

    /** {@code JETTY_HOME}: the unpacked distribution, checked to hold {@code start.jar}. */
    public Path home() {
        String value = System.getProperty(homeProperty);
        if (value == null || value.isEmpty()) {
            throw new AssertionError("system property " + homeProperty + " is not set; run the integration tests "
                    + "through Maven failsafe (./mvnw verify), which unpacks the Jetty distributions first");
        }
        Path home = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(home.resolve("start.jar"))) {
            throw new AssertionError(homeProperty + "=" + home + " holds no start.jar; the build unpacks the "
                    + "distribution there before the integration tests (./mvnw verify)");
        }
        return home;
    }

    public Path startJar() {
        return home().resolve("start.jar");
    }

    /** The version in the distribution's directory name ({@code jetty-home-12.1.12} gives {@code 12.1.12}). */
    public String version() {
        String name = home().getFileName().toString();
        return name.substring(name.lastIndexOf('-') + 1);
    }

    public String displayName() {
        return displayName;
    }

    /** A short name for directories: {@code jetty-9.4}, {@code jetty-12-ee10}. */
    public String id() {
        return displayName.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
    }

    /** {@code javax.servlet} or {@code jakarta.servlet} */
    public String servletPackage() {
        return servletPackage;
    }

    /**
     * The servlet API jar the distribution ships for this environment: what the test application compiles against.
     * Found by the start of its name, so that a newer release of the line (the {@code latest} profile) is found too.
     */
    public Path servletApiJar() {
        List<Path> lib;
        try (Stream<Path> files = Files.list(home().resolve("lib"))) {
            lib = files.sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot list " + home().resolve("lib") + " (" + e + ")", e);
        }
        List<Path> matching = lib.stream()
                .filter(p -> p.getFileName().toString().startsWith(servletApiJar)
                        && p.getFileName().toString().endsWith(".jar"))
                .collect(Collectors.toList());
        if (matching.size() != 1) {
            throw new AssertionError(
                    "expected one " + servletApiJar + "*.jar in " + home() + "/lib, found " + matching + "; lib holds "
                            + lib.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")));
        }
        return matching.get(0);
    }

    /** The {@code start.jar} arguments that enable the modules of a fresh base: HTTP, hot deployment, web apps. */
    public List<String> addModulesArguments() {
        return addModules;
    }

    /** {@code STOP.PORT} for 9.4, {@code stop.port} from 10 on. */
    public String stopPortProperty() {
        return stopPortProperty;
    }

    public String stopKeyProperty() {
        return stopKeyProperty;
    }

    public String stopWaitProperty() {
        return stopWaitProperty;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
