package dev.waituntil.benchmarks.server;

/** The two embedded servers of the whole-server benchmarks, each started in a JVM of its own. */
public enum ServerKind {
    JETTY("jetty", "Jetty 12.1 ee10 embedded", "jetty12", "dev.waituntil.benchmarks.server.hello.JettyHello"),
    TOMCAT("tomcat", "Tomcat 10.1 embedded", "tomcat10", "dev.waituntil.benchmarks.server.hello.TomcatHello");

    private final String id;
    private final String displayName;
    private final String jarDirectory;
    private final String mainClass;

    ServerKind(String id, String displayName, String jarDirectory, String mainClass) {
        this.id = id;
        this.displayName = displayName;
        this.jarDirectory = jarDirectory;
        this.mainClass = mainClass;
    }

    /** {@code jetty}, {@code tomcat}: the names on the command line. */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** The directory under {@code benchmarks/target/servers} that holds the server's jars. */
    public String jarDirectory() {
        return jarDirectory;
    }

    public String mainClass() {
        return mainClass;
    }

    public static ServerKind of(String id) {
        for (ServerKind kind : values()) {
            if (kind.id.equalsIgnoreCase(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown server '" + id + "'; expected jetty or tomcat");
    }
}
