package dev.waituntil.demo;

import java.nio.file.Path;

/**
 * What the demo runs.
 *
 * @param agentJar  the agent jar for {@code -javaagent}, or null to run the server without the agent
 * @param plainPool the server hands the work to a plain thread pool instead of {@code WaitUntil}
 * @param classPath the class path of the server's JVM: the demo jar
 * @param port      the server's port; 0 picks a free one
 * @param springBootJar the Spring Boot shop to run instead of the plain server ({@code --spring-boot}), or null
 */
public record DemoOptions(Path agentJar, boolean plainPool, String classPath, int port, Path springBootJar) {

    /** The plain server's options. */
    public DemoOptions(Path agentJar, boolean plainPool, String classPath, int port) {
        this(agentJar, plainPool, classPath, port, null);
    }

    /** The defaults of {@code java -jar wait-until-demo.jar}: this jar, and the agent jar built next to it. */
    public static DemoOptions defaults() {
        return new DemoOptions(DemoLauncher.defaultAgentJar(), false, DemoLauncher.ownClassPath(), 0, null);
    }

    public DemoOptions withAgent(Path agent) {
        return new DemoOptions(agent, plainPool, classPath, port, springBootJar);
    }

    public DemoOptions withPlainPool(boolean value) {
        return new DemoOptions(agentJar, value, classPath, port, springBootJar);
    }

    public DemoOptions withClassPath(String value) {
        return new DemoOptions(agentJar, plainPool, value, port, springBootJar);
    }

    public DemoOptions withPort(int value) {
        return new DemoOptions(agentJar, plainPool, classPath, value, springBootJar);
    }

    public DemoOptions withSpringBoot(Path jar) {
        return new DemoOptions(agentJar, plainPool, classPath, port, jar);
    }

    /** The command line; an {@link IllegalArgumentException} with an empty message asks for the usage. */
    static DemoOptions parse(String[] args) {
        DemoOptions options = defaults();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--agent") && i + 1 < args.length) {
                options = options.withAgent(Path.of(args[++i]));
            } else if (arg.startsWith("--agent=")) {
                options = options.withAgent(Path.of(arg.substring("--agent=".length())));
            } else if (arg.equals("--no-agent")) {
                options = options.withAgent(null);
            } else if (arg.equals("--spring-boot")) {
                options = options.withSpringBoot(DemoLauncher.defaultSpringBootJar());
            } else if (arg.equals("--plain-pool")) {
                options = options.withPlainPool(true);
            } else if (arg.equals("--port") && i + 1 < args.length && args[i + 1].matches("\\d{1,5}")) {
                options = options.withPort(Integer.parseInt(args[++i]));
            } else {
                throw new IllegalArgumentException(
                        arg.equals("-h") || arg.equals("--help") ? "" : "unknown or incomplete argument: " + arg);
            }
        }
        if (options.plainPool() && options.springBootJar() != null) {
            throw new IllegalArgumentException("--plain-pool and --spring-boot: choose one");
        }
        return options;
    }
}
