package dev.waituntil.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * A standalone Apache Tomcat distribution ({@code org.apache.tomcat:tomcat:<v>:tar.gz}), as the build
 * unpacked it under {@code target/distributions/apache-tomcat-<v>}: the {@code CATALINA_HOME} that
 * every test shares read-only. Each test runs it from a {@code CATALINA_BASE} of its own
 * ({@link #newBase}), which {@link TomcatServer} starts with {@code bin/catalina.sh run}.
 *
 * <p>The failsafe configuration names the homes: {@code it.distribution.tomcat9},
 * {@code it.distribution.tomcat10}, {@code it.distribution.tomcat11}.
 */
public final class TomcatDistribution {

    private final String id;
    private final Path home;
    private final String version;

    private TomcatDistribution(String id, Path home, String version) {
        this.id = id;
        this.home = home;
        this.version = version;
    }

    /** {@code tomcat9}, {@code tomcat10} or {@code tomcat11}: the home given by {@code -Dit.distribution.<id>}. */
    public static TomcatDistribution of(String id) {
        String property = "it.distribution." + id;
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            throw new AssertionError("system property " + property + " is not set; run the integration tests through "
                    + "Maven failsafe (./mvnw verify), which unpacks the distributions first");
        }
        Path home = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(home.resolve("bin/catalina.sh"))
                || !Files.isRegularFile(home.resolve("lib/catalina.jar"))) {
            throw new AssertionError(property + "=" + home + " is not an unpacked Tomcat (no bin/catalina.sh or "
                    + "lib/catalina.jar); the build unpacks it in pre-integration-test (./mvnw verify)");
        }
        String name = home.getFileName().toString();
        String version = name.startsWith("apache-tomcat-") ? name.substring("apache-tomcat-".length()) : name;
        return new TomcatDistribution(id, home, version);
    }

    public String id() {
        return id;
    }

    /** {@code CATALINA_HOME} */
    public Path home() {
        return home;
    }

    /** {@code 9.0.117}: from the directory the tarball unpacks into. */
    public String version() {
        return version;
    }

    /** 9, 10, 11 */
    public int major() {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** {@code javax.servlet} for Tomcat 9, {@code jakarta.servlet} from 10 on. */
    public String servletPackage() {
        return major() < 10 ? "javax.servlet" : "jakarta.servlet";
    }

    /** {@code lib/servlet-api.jar}: what the test application compiles against. */
    public Path servletApiJar() {
        return home.resolve("lib/servlet-api.jar");
    }

    @Override
    public String toString() {
        return "Tomcat " + version;
    }

    /** A {@code CATALINA_BASE}: its directory and the two ports written into its {@code conf/server.xml}. */
    public record Base(Path dir, int httpPort, int shutdownPort) {
        public Path webapps() {
            return dir.resolve("webapps");
        }

        /** Deploys {@code war} as {@code webapps/<name>.war}, i.e. at the context path {@code /<name>}. */
        public Path deploy(Path war, String name) throws IOException {
            return Files.copy(war, webapps().resolve(name + ".war"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Makes a fresh {@code CATALINA_BASE} at {@code dir}: the distribution's {@code conf/} copied, empty
     * {@code logs/}, {@code temp/}, {@code work/} and {@code webapps/}; in {@code conf/server.xml} the
     * shutdown port and the HTTP connector's port are replaced by free ones, the connector is bound to
     * 127.0.0.1, and the engine's background processor runs every second instead of every ten (so that
     * auto-deployment notices a removed WAR quickly). Everything else is the distribution's own
     * configuration: its listeners, {@code autoDeploy="true"}, {@code unpackWARs="true"}, its logging.
     */
    public Base newBase(Path dir) throws IOException {
        JavaSources.deleteRecursively(dir);
        Path conf = Files.createDirectories(dir.resolve("conf"));
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, conf.resolve(f.getFileName()));
                }
            }
        }
        for (String sub : new String[] {"logs", "temp", "work", "webapps"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        int httpPort;
        int shutdownPort;
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            httpPort = a.getLocalPort();
            shutdownPort = b.getLocalPort();
        }
        Path serverXml = conf.resolve("server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        xml = replaceOnce(
                xml,
                "<Server port=\"8005\" shutdown=\"SHUTDOWN\">",
                "<Server port=\"" + shutdownPort + "\" shutdown=\"SHUTDOWN\">");
        xml = replaceOnce(
                xml,
                "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + httpPort + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        xml = replaceOnce(
                xml,
                "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
                "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
        Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
        return new Base(dir, httpPort, shutdownPort);
    }

    /** Replaces the first occurrence, which must exist: the live element comes before any commented-out copy. */
    private String replaceOnce(String xml, String what, String with) {
        int at = xml.indexOf(what);
        if (at < 0) {
            throw new AssertionError(this + ": conf/server.xml has no '" + what + "'; the test needs updating for it");
        }
        return xml.substring(0, at) + with + xml.substring(at + what.length());
    }
}
