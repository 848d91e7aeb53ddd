package dev.waituntil.demo;

import java.nio.file.Path;

/**
 * What the demo runs.
 *
 * @param agentJar  the agent jar for {@code -javaagent}, or null to run the server without the agent
 * @param plainPool the server hands the work to a plain thread pool instead of {@code WaitUntil}
 * @param classPath the class path of the server's JVM: the demo jar
 * @param port      the server's port; 0 picks a free one
 */
public record DemoOptions(Path agentJar, boolean plainPool, String classPath, int port) {

    /** The defaults of {@code java -jar wait-until-demo.jar}: this jar, and the agent jar built next to it. */
    public static DemoOptions defaults() {
        return new DemoOptions(DemoLauncher.defaultAgentJar(), false, DemoLauncher.ownClassPath(), 0);
    }

    public DemoOptions withAgent(Path agent) {
        return new DemoOptions(agent, plainPool, classPath, port);
    }

    public DemoOptions withPlainPool(boolean value) {
        return new DemoOptions(agentJar, value, classPath, port);
    }

    public DemoOptions withClassPath(String value) {
        return new DemoOptions(agentJar, plainPool, value, port);
    }

    public DemoOptions withPort(int value) {
        return new DemoOptions(agentJar, plainPool, classPath, value);
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
            } else if (arg.equals("--plain-pool")) {
                options = options.withPlainPool(true);
            } else if (arg.equals("--port") && i + 1 < args.length && args[i + 1].matches("\\d{1,5}")) {
                options = options.withPort(Integer.parseInt(args[++i]));
            } else {
                throw new IllegalArgumentException(
                        arg.equals("-h") || arg.equals("--help") ? "" : "unknown or incomplete argument: " + arg);
            }
        }
        return options;
    }
}
