package dev.waituntil.benchmarks.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;

/**
 * The CPU that other processes use while a benchmark measures: on a machine shared with other work (a build,
 * another benchmark), a measurement that ran beside it is not comparable with one that did not. Linux only
 * ({@code /proc}); elsewhere it reports nothing and never waits.
 *
 * <p>"Foreign" is every process except this JVM and its descendants (the server JVMs it started). Its CPU time is
 * read from {@code /proc/<pid>/stat} (user and system time). A process that ends during a window is not counted.
 */
public final class Quiet {

    private static final Path PROC = Paths.get("/proc");
    /** USER_HZ: the unit of the times in /proc/<pid>/stat; 100 on every common Linux build. */
    private static final double TICKS_PER_SECOND = 100;

    private Quiet() {}

    public static boolean supported() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    /** CPU seconds used so far by processes outside this JVM's tree. */
    public static double foreignCpuSeconds() {
        if (!supported()) {
            return 0;
        }
        Set<Long> own = new HashSet<>();
        own.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(p -> own.add(p.pid()));
        long ticks = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0)) || own.contains(Long.parseLong(name))) {
                    continue;
                }
                ticks += cpuTicks(entry.resolve("stat"));
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** CPU time used so far by process {@code pid} (all its threads), in nanoseconds; -1 where /proc is not there. */
    public static long processCpuNanos(long pid) {
        if (!supported()) {
            return -1;
        }
        return cpuTicks(PROC.resolve(String.valueOf(pid)).resolve("stat")) * (long) (1_000_000_000 / TICKS_PER_SECOND);
    }

    private static long cpuTicks(Path stat) {
        try {
            String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
            // after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
            // (the children's times that follow are left out: they arrive all at once when a child ends)
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended meanwhile
        }
    }

    /** A window: {@link #share()} is the other processes' CPU over it, in CPUs (1.0: one CPU busy all the time). */
    public static final class Window {
        private final double cpu0 = foreignCpuSeconds();
        private final long t0 = System.nanoTime();

        public double share() {
            double seconds = (System.nanoTime() - t0) / 1e9;
            return seconds <= 0 ? 0 : Math.max(0, foreignCpuSeconds() - cpu0) / seconds;
        }
    }

    /**
     * Waits until other processes have used less than {@code threshold} CPUs for 10 seconds in a row (measured in
     * 2-second windows), at most {@code maxSeconds}; says so when it waits. A short pause of a long job (between two
     * of its JVMs, say) is not taken for quiet.
     */
    public static void await(double threshold, long maxSeconds) throws InterruptedException {
        if (!supported()) {
            return;
        }
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        boolean said = false;
        int quietWindows = 0;
        while (quietWindows < 5) {
            Window w = new Window();
            Thread.sleep(2000);
            double share = w.share();
            if (share < threshold) {
                quietWindows++;
                continue;
            }
            quietWindows = 0;
            if (System.nanoTime() > deadline) {
                System.out.printf(
                        "  (other processes still use %.2f CPUs after %d s; measuring anyway)%n", share, maxSeconds);
                return;
            }
            if (!said) {
                System.out.printf(
                        "  (other processes use %.2f CPUs; waiting until they use less than %.2f for 10 s)%n",
                        share, threshold);
                said = true;
            }
        }
    }
}
