package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures a test prints beside its assertions (counts and times, for RELIABILITY.md), in one form:
 * a line {@code [figures] ...} on standard output, which failsafe keeps in the test's output file, so
 * that one grep collects them from a whole run.
 */
public final class Figures {

    private Figures() {}

    public static void print(String line) {
        System.out.println("[figures] " + line);
    }

    /** {@link #print}, and the line appended to {@code <dir>/figures.txt}, the figures of one work directory. */
    public static void record(Path dir, String line) {
        print(line);
        try {
            Files.writeString(
                    dir.resolve("figures.txt"),
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // printed already; the file is only a copy for inspection
        }
    }
}
