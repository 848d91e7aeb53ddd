package dev.waituntil.demo;

import static dev.waituntil.demo.DemoLauncher.DEMO;
import static dev.waituntil.demo.DemoLauncher.EXIT_TIMEOUT_SECONDS;
import static dev.waituntil.demo.DemoLauncher.ORDER_ID;

import java.io.PrintStream;
import java.util.List;

/**
 * What happened. Times are milliseconds since the demo started; -1 when it did not happen.
 *
 * @param exitCode       the launcher's exit code: 0 the receipt was sent before the server exited, 1 not,
 *                       2 could not run
 * @param problem        why the demo could not run or went wrong, or null
 * @param status         the HTTP status of the order, or -1
 * @param requestAt      when the order was sent
 * @param responseMillis how long the order took to answer, or -1
 * @param responseAt     when the response had been read
 * @param receiptAt      when the line "receipt 42 sent" was read from the server's output
 * @param sigtermAt      when SIGTERM was sent
 * @param exitAt         when the server's JVM had exited (by itself, after SIGTERM)
 * @param serverExitCode the server JVM's exit code, or -1
 * @param killed         the server did not exit within the bound and was killed
 * @param lines          the server's output
 */
public record DemoResult(
        int exitCode,
        String problem,
        int status,
        long requestAt,
        long responseMillis,
        long responseAt,
        long receiptAt,
        long sigtermAt,
        long exitAt,
        int serverExitCode,
        boolean killed,
        List<Line> lines) {

    /** One line of the server's output, with the milliseconds since the demo started at which it was read. */
    public record Line(long millis, String text) {}

    /** Lines in the server's pipe were all written before its JVM exited: present means sent in time. */
    public boolean receiptSent() {
        return receiptAt >= 0;
    }

    public long sigtermToExitMillis() {
        return sigtermAt >= 0 && exitAt >= 0 ? exitAt - sigtermAt : -1;
    }

    public String output() {
        StringBuilder b = new StringBuilder();
        for (Line line : lines) {
            b.append(String.format("%6d ms | %s%n", line.millis(), line.text()));
        }
        return b.toString();
    }

    static DemoResult failed(int exitCode, String problem) {
        return new Builder().exitCode(exitCode).problem(problem).build();
    }

    void printSummary(PrintStream out) {
        String receipt = "receipt " + ORDER_ID + " sent";
        out.println(DEMO + "---- summary ----");
        out.println(DEMO + "response:          "
                + (status < 0 ? "none (" + problem + ")" : status + " in " + responseMillis + " ms"));
        if (receiptSent()) {
            out.println(DEMO + receipt + ":   yes, " + (receiptAt - responseAt) + " ms after the response and "
                    + (receiptAt - sigtermAt) + " ms after SIGTERM, before the server's JVM exited");
        } else {
            out.println(DEMO + receipt + ":   NO, the task was lost when the server's JVM exited");
        }
        out.println(DEMO + "SIGTERM to exit:   "
                + (killed
                        ? "more than " + EXIT_TIMEOUT_SECONDS + " s (killed)"
                        : sigtermToExitMillis() + " ms (exit code " + serverExitCode + ")"));
        if (problem != null) {
            out.println(DEMO + "problem:           " + problem);
        }
        out.println(DEMO
                + (exitCode == 0
                        ? "OK: the task finished before the server exited"
                        : "FAILED: the server exited before the task finished"));
    }

    /** Filled in step by step as the demo goes; what never happened stays -1. */
    static final class Builder {
        private int exitCode = -1;
        private String problem;
        private int status = -1;
        private long requestAt = -1;
        private long responseMillis = -1;
        private long responseAt = -1;
        private long receiptAt = -1;
        private long sigtermAt = -1;
        private long exitAt = -1;
        private int serverExitCode = -1;
        private boolean killed;
        private List<Line> lines = List.of();

        Builder exitCode(int value) {
            exitCode = value;
            return this;
        }

        Builder problem(String value) {
            problem = value;
            return this;
        }

        Builder status(int value) {
            status = value;
            return this;
        }

        Builder requestAt(long value) {
            requestAt = value;
            return this;
        }

        Builder response(long millis, long at) {
            responseMillis = millis;
            responseAt = at;
            return this;
        }

        Builder receiptAt(long value) {
            receiptAt = value;
            return this;
        }

        Builder sigtermAt(long value) {
            sigtermAt = value;
            return this;
        }

        Builder exitAt(long value) {
            exitAt = value;
            return this;
        }

        Builder killed() {
            killed = true;
            return this;
        }

        boolean isKilled() {
            return killed;
        }

        Builder serverExitCode(int value) {
            serverExitCode = value;
            return this;
        }

        Builder lines(List<Line> value) {
            lines = value;
            return this;
        }

        DemoResult build() {
            return new DemoResult(
                    exitCode,
                    problem,
                    status,
                    requestAt,
                    responseMillis,
                    responseAt,
                    receiptAt,
                    sigtermAt,
                    exitAt,
                    serverExitCode,
                    killed,
                    lines);
        }
    }
}
