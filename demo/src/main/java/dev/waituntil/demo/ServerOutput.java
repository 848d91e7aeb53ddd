package dev.waituntil.demo;

import static dev.waituntil.demo.DemoLauncher.DEMO;
import static dev.waituntil.demo.DemoLauncher.ORDER_ID;
import static dev.waituntil.demo.DemoLauncher.SERVER;

import dev.waituntil.demo.DemoResult.Line;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the server's output on a thread of its own, echoes it with {@value DemoLauncher#SERVER}, and keeps it. */
final class ServerOutput {

    private static final Pattern STARTED = Pattern.compile(Pattern.quote(DemoServer.STARTED) + "(\\d+)");

    private final List<Line> lines = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    private final String receipt = " " + DemoServer.RECEIPT + ORDER_ID + " sent";
    private volatile long receiptAt = -1;

    ServerOutput(InputStream in, PrintStream out, long t0) {
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            long at = DemoLauncher.millis(t0, System.nanoTime());
                            lines.add(new Line(at, line));
                            out.println(SERVER + line);
                            Matcher started = STARTED.matcher(line);
                            if (!port.isDone() && started.find()) {
                                port.complete(Integer.parseInt(started.group(1)));
                            }
                            if (receiptAt < 0 && line.endsWith(receipt)) {
                                receiptAt = at;
                            }
                        }
                    } catch (IOException e) {
                        out.println(DEMO + "reading the server's output failed: " + e);
                    } finally {
                        port.complete(-1);
                        end.complete(null);
                    }
                },
                "server output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The port from the started line; -1 if the server exits first or the time runs out. */
    int awaitPort(long nanos) {
        try {
            return port.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    void awaitEnd(long nanos) {
        try {
            end.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the lines read so far are what we have
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long receiptAt() {
        return receiptAt;
    }

    List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
