package dev.waituntil.it.support;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Continuous load across a stop: {@code clients} threads, each sending one request that registers a task
 * ({@code load-<client>-<n>}, of 50 ms to 1 s) every 40 ms or so, until the stop has been signalled
 * ({@link #stopping()}) and then the server refuses three requests in a row or is gone. Bounded: 3000 requests in
 * all, 40 s. A 2xx answer means the task was accepted; any other status, or an {@link IOException} (connection
 * refused or reset once the connector closes), is a refusal, counted by kind.
 *
 * <p>Used by the chaos and load tests on standalone Jetty, embedded Tomcat and Jetty, and Spring Boot.
 */
public final class LoadClients {

    /** Sends the request that registers the task {@code label} of {@code ms}; returns the HTTP status. */
    @FunctionalInterface
    public interface Request {
        int send(String label, long ms) throws IOException, InterruptedException;
    }

    private static final int MAX_REQUESTS = 3000;
    private static final long MAX_SECONDS = 40;

    private final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger acceptedAfterStop = new AtomicInteger();
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();

    private LoadClients(int clients) {
        this.pool = Executors.newFixedThreadPool(clients);
    }

    /** Starts {@code clients} threads sending {@code request}; {@code alive} tells whether the server still runs. */
    public static LoadClients start(int clients, Request request, BooleanSupplier alive) {
        LoadClients load = new LoadClients(clients);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
        for (int c = 0; c < clients; c++) {
            int client = c;
            load.clients.add(load.pool.submit(() -> {
                load.run(client, request, alive, deadline);
                return null;
            }));
        }
        return load;
    }

    private void run(int client, Request request, BooleanSupplier alive, long deadline) throws InterruptedException {
        Random random = new Random(client);
        int refusedInARow = 0;
        for (int n = 0; sent.get() < MAX_REQUESTS && System.nanoTime() - deadline < 0; n++) {
            boolean afterStop = stopping.get();
            if (afterStop && (refusedInARow >= 3 || !alive.getAsBoolean())) {
                return;
            }
            String label = "load-" + client + "-" + n;
            long ms = 50 + random.nextInt(951);
            sent.incrementAndGet();
            try {
                int status = request.send(label, ms);
                if (status / 100 == 2) {
                    accepted.add(label);
                    if (afterStop) {
                        acceptedAfterStop.incrementAndGet();
                    }
                    refusedInARow = 0;
                } else {
                    refusal("HTTP " + status);
                    refusedInARow++;
                }
            } catch (IOException e) {
                refusal(e.getClass().getSimpleName());
                refusedInARow++;
            }
            Thread.sleep(40);
        }
    }

    private void refusal(String kind) {
        refusals.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    /**
     * Waits until at least {@code n} requests have been accepted, or {@code timeout} has passed. A test that needs
     * so much load before its stop counts it, rather than assuming that a fixed time brings it: on a loaded machine
     * it may not. The test still asserts the count, which now fails only if the server accepts nothing for so long.
     */
    public void awaitAccepted(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (accepted.size() < n && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
    }

    /** The stop has been sent: from now on the clients end once the server refuses them or is gone. */
    public void stopping() {
        stopping.set(true);
    }

    /** Waits for every client to end (bounded); fails if one threw or did not end. */
    public LoadClients finish() throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(MAX_SECONDS + 20, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new AssertionError("the load clients did not stop");
        }
        for (Future<?> client : clients) {
            try {
                client.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("a load client failed", e.getCause());
            }
        }
        return this;
    }

    /** The labels of the tasks answered 2xx. */
    public List<String> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    public int sent() {
        return sent.get();
    }

    public int acceptedAfterStop() {
        return acceptedAfterStop.get();
    }

    public int refused() {
        return refusals.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** The refusals by kind, e.g. {@code (ConnectException 3, HTTP 503 12)}. */
    public String refusals() {
        return refusals.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).sorted()
                .collect(Collectors.joining(", ", "(", ")"));
    }
}
