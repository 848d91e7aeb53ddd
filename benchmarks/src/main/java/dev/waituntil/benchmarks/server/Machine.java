package dev.waituntil.benchmarks.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the figures were measured on: processors, CPU model, the server JVMs' {@code java -version}, the OS, the load. */
public final class Machine {

    private Machine() {}

    public static String describe(Path java) {
        List<String> lines = new ArrayList<>();
        lines.add("processors: " + Runtime.getRuntime().availableProcessors() + " (Runtime.availableProcessors of the "
                + "benchmark JVM; online CPUs " + onlineCpus() + ")" + cpuModel());
        lines.add("java: " + javaVersion(java).replace("\n", " | "));
        lines.add("os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        lines.add("load average at start: "
                + String.format(
                        "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return String.join("\n", lines);
    }

    private static String onlineCpus() {
        Path online = Paths.get("/sys/devices/system/cpu/online");
        try {
            return Files.isReadable(online) ? Files.readAllLines(online).get(0).trim() : "unknown";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "";
        }
        try {
            return Files.readAllLines(cpuinfo).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> ", " + l.substring(l.indexOf(':') + 1).trim())
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code java -version} of the binary the servers run on. */
    public static String javaVersion(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "unknown (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    /** {@code taskset -c <cpus>} as a command prefix, or nothing for an empty list. */
    public static List<String> pinPrefix(String cpus) {
        List<String> prefix = new ArrayList<>();
        if (cpus != null && !cpus.isEmpty()) {
            prefix.add("taskset");
            prefix.add("-c");
            prefix.add(cpus);
        }
        return prefix;
    }

    /** Pins every thread of this JVM (and the threads it starts later) to {@code cpus}, with {@code taskset -a -p}. */
    public static void pinSelf(String cpus) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        "taskset",
                        "-a",
                        "-p",
                        "-c",
                        cpus,
                        String.valueOf(ProcessHandle.current().pid()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("taskset could not pin the benchmark JVM to CPUs " + cpus + ": " + out);
        }
    }
}
