package dev.waituntil.benchmarks.startup;

import java.nio.file.Path;

/** What one start-up measurement starts, a fresh JVM each time: an embedded hello server or a standalone server. */
interface StartupTarget {

    /** The name on the command line: {@code jetty}, {@code tomcat-dist}, ... */
    String id();

    /** The heading of its tables. */
    String displayName();

    /**
     * Starts the server once, with {@code agent} ({@code -javaagent:<jar>[=args]}) or without it ({@code null}),
     * its output in {@code log}; stops it once the first request was answered. Fails when the server does not start,
     * or runs with the agent when it should not, or without it when it should.
     */
    Timing measure(Path agent, Path log) throws Exception;

    /** Milliseconds from right before the JVM was spawned. */
    record Timing(double readyMillis, double firstAnswerMillis) {}
}
