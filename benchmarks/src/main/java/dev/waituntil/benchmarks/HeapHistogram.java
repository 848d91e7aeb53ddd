package dev.waituntil.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The live objects of this JVM by class: {@code jcmd <pid> GC.class_histogram}, asked of this JVM's own
 * DiagnosticCommand MBean. It runs a full collection first, so it counts exactly what is reachable.
 *
 * <p>A histogram keeps only the text it was given until it is {@linkplain #parse() parsed}: that text is alive
 * when the next histogram is taken, and {@link #selfBytes()} says exactly how much it adds to it.
 */
final class HeapHistogram {

    private final String text;
    /** Per class (name and module, as the histogram prints them): instances and bytes; null until parsed. */
    private Map<String, long[]> classes;

    private long totalBytes = -1;

    private HeapHistogram(String text) {
        this.text = text;
    }

    /** The heap this histogram takes until it is parsed: itself (32 bytes), its text (24) and the text's Latin-1 bytes. */
    long selfBytes() {
        return 32 + 24 + ((16 + text.length() + 7) / 8) * 8;
    }

    long totalBytes() {
        parse();
        return totalBytes;
    }

    static HeapHistogram take() {
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "gcClassHistogram",
                            new Object[] {new String[0]},
                            new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("cannot take a class histogram of this JVM", e);
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xff) {
                throw new IllegalStateException("the histogram is not Latin-1: selfBytes() would be wrong");
            }
        }
        return new HeapHistogram(text);
    }

    private void parse() {
        if (classes != null) {
            return;
        }
        Map<String, long[]> classes = new HashMap<>();
        long total = -1;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+", 4);
            if (f.length >= 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            } else if (f.length == 4 && f[0].endsWith(":")) {
                long[] v = classes.computeIfAbsent(f[3], k -> new long[2]);
                v[0] += Long.parseLong(f[1]);
                v[1] += Long.parseLong(f[2]);
            }
        }
        if (total < 0) {
            throw new IllegalStateException("unexpected class histogram:\n" + text);
        }
        this.classes = classes;
        this.totalBytes = total;
    }

    /**
     * What is in {@code after} and not in this one, per class, largest first. Classes that changed by less than
     * {@code tasks / 100} instances and less than a byte per task are left out.
     */
    List<String> growthTo(HeapHistogram after, int tasks) {
        parse();
        after.parse();
        List<Object[]> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.classes.entrySet()) {
            long[] b = classes.getOrDefault(e.getKey(), new long[2]);
            long count = e.getValue()[0] - b[0];
            long bytes = e.getValue()[1] - b[1];
            if (Math.abs(count) >= tasks / 100 || Math.abs(bytes) >= tasks) {
                rows.add(new Object[] {e.getKey(), count, bytes});
            }
        }
        rows.sort((x, y) -> Long.compare(Math.abs((Long) y[2]), Math.abs((Long) x[2])));
        List<String> lines = new ArrayList<>();
        for (Object[] r : rows) {
            long count = (Long) r[1];
            long bytes = (Long) r[2];
            lines.add(String.format(
                    Locale.ROOT,
                    "%10d instances %12d bytes  %8.3f per task %8.1f B per task  %s",
                    count,
                    bytes,
                    (double) count / tasks,
                    (double) bytes / tasks,
                    r[0]));
        }
        return lines;
    }
}
