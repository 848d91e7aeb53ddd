package dev.waituntil.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark module honest at CI's cost of a few seconds: the built jar lists every benchmark that
 * BENCHMARKS.md reports, and smoke runs (one fork, one short iteration) of the request path and of a captured
 * hand-over, each with and without the agent, and of the drain latency show that the agent reaches the forks that
 * need it (the benchmarks themselves fail when a fork has the agent it should not, or lacks it, or when capture does
 * not happen exactly with the agent) and that the summary compares the two; one start-up run of the standalone
 * distributions shows that they start, with the agent in them exactly when asked for. It measures nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchmarkJarIT {

    private static final Path BENCHMARKS_JAR = Path.of(System.getProperty("it.benchmarksJar", "target/benchmarks.jar"))
            .toAbsolutePath()
            .normalize();
    private static final Path AGENT_JAR = Path.of(
                    System.getProperty("it.agentJar", "../agent/target/wait-until-agent.jar"))
            .toAbsolutePath()
            .normalize();

    private static final List<String> EXPECTED = List.of(
            "RequestPathBenchmark.nothing",
            "RequestPathBenchmark.oneTask",
            "RegisterBenchmark.register",
            "RegisterBenchmark.futureOnly",
            "RegisterBenchmark8Threads.register",
            "RegisterBenchmark8Threads.futureOnly",
            "RunBenchmark.run",
            "RunBenchmark.execute",
            "RunBenchmark.springSubmit",
            "RunBenchmark8Threads.run",
            "RunBenchmark8Threads.execute",
            "RunBenchmark8Threads.springSubmit",
            "DrainBenchmark.lastCompletionToDrainReturn",
            "DrainBenchmark.drain100k",
            "DrainBenchmark.complete100k",
            "DrainBenchmark.drain100kAtDeadline",
            "MemoryBenchmark.pendingTasks",
            "CaptureBenchmark.executeOutside",
            "CaptureBenchmark.executeInRequest",
            "CaptureBenchmark.submitOutside",
            "CaptureBenchmark.submitInRequest",
            "CaptureBenchmark.runAsyncOutside",
            "CaptureBenchmark.runAsyncInRequest",
            "CaptureBenchmark.executeInTask",
            "CaptureBenchmark.requestOnly",
            "CaptureBenchmark.requestWithOneExecute");

    @Test
    void theJarListsEveryBenchmark() throws Exception {
        String output = run("-l");
        for (String benchmark : EXPECTED) {
            assertTrue(
                    output.contains("dev.waituntil.benchmarks." + benchmark + "\n"),
                    benchmark + " is not listed:\n" + output);
        }
    }

    @Test
    void aSmokeRunReachesTheForksWithAndWithoutTheAgent() throws Exception {
        String output = run(
                "-f",
                "1",
                "-wi",
                "0",
                "-i",
                "1",
                "-r",
                "100ms",
                "-foe",
                "true",
                "RequestPathBenchmark.nothing",
                "DrainBenchmark.lastCompletionToDrainReturn");
        assertTrue(output.contains("running RequestPathBenchmark without the agent"), output);
        assertTrue(output.contains("-javaagent:" + AGENT_JAR), output);
        Matcher comparison = Pattern.compile(
                        "RequestPathBenchmark\\.nothing \\(1 thread\\), agent vs none\\s+\\S+ ns/op")
                .matcher(output);
        assertTrue(comparison.find(), "no comparison of the request path with and without the agent:\n" + output);
        assertTrue(output.contains("DrainBenchmark.lastCompletionToDrainReturn"), output);
    }

    /** Its forks fail unless the agent captures a hand-over in a request, and nothing is captured without it. */
    @Test
    void aSmokeRunOfCaptureFindsTheHandOverCapturedOnlyWithTheAgent() throws Exception {
        String output = run(
                "-f", "1", "-wi", "0", "-i", "1", "-r", "100ms", "-foe", "true", "CaptureBenchmark.executeInRequest");
        assertTrue(output.contains("running CaptureBenchmark without the agent"), output);
        assertTrue(
                Pattern.compile("CaptureBenchmark\\.executeInRequest \\(1 thread\\), agent vs none\\s+\\S+ ns/op")
                        .matcher(output)
                        .find(),
                "no comparison of the captured hand-over with and without the agent:\n" + output);
    }

    /**
     * One run of the start-up benchmark on both standalone distributions with the probe WAR: it fails (exit not 0)
     * unless each server answered, and ran the agent exactly in the agent's variant (the {@code agent started} line
     * in its output); the report then has both variants for both servers. Its figures are not looked at.
     */
    @Test
    void aStartUpRunOfTheStandaloneDistributionsReportsBothVariants(@TempDir Path logs) throws Exception {
        String output = runJava(
                "-cp",
                BENCHMARKS_JAR.toString(),
                "dev.waituntil.benchmarks.startup.StartupBenchmark",
                "--servers",
                "tomcat-dist,jetty-dist",
                "--runs",
                "1",
                "--quiet",
                "0",
                "--agent",
                AGENT_JAR.toString(),
                "--logs",
                logs.toString());
        for (String server : List.of("Tomcat 10.1 standalone", "Jetty 12.1 ee10 standalone")) {
            int section = output.indexOf("## " + server + "\n");
            assertTrue(section >= 0, "no report for " + server + ":\n" + output);
            String report = output.substring(section);
            assertTrue(
                    Pattern.compile("\\| none \\| \\d+ \\|").matcher(report).find(),
                    "no figure without the agent for " + server + ":\n" + output);
            assertTrue(
                    Pattern.compile("\\| agent \\| \\d+ \\|.*\\| [+-]\\d+ ms \\|")
                            .matcher(report)
                            .find(),
                    "no figure with the agent, compared with none, for " + server + ":\n" + output);
        }
        for (String id : List.of("tomcat-dist", "jetty-dist")) {
            assertTrue(
                    Files.readString(logs.resolve("startup-" + id + "-r1-agent.log"))
                            .contains("agent started"),
                    "the agent's variant of " + id + " logged no start of the agent");
        }
    }

    private static String run(String... args) throws IOException, InterruptedException {
        return runJava(concat(List.of("-Dbenchmarks.agentJar=" + AGENT_JAR, "-jar", BENCHMARKS_JAR.toString()), args));
    }

    private static String[] concat(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(Arrays.asList(rest));
        return all.toArray(new String[0]);
    }

    private static String runJava(String... args) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(BENCHMARKS_JAR), "benchmark jar missing: " + BENCHMARKS_JAR);
        assertTrue(Files.isRegularFile(AGENT_JAR), "agent jar missing: " + AGENT_JAR);
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(Arrays.asList(args));
        Path log = Files.createTempFile("benchmarks", ".log");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(100, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the benchmark jar did not finish in 100 s:\n" + Files.readString(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
