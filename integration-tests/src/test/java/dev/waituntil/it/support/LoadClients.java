package dev.waituntil.it.support;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Continuous load across a stop: {@code clients} threads, each sending one request that registers a task
 * ({@code load-<client>-<n>}, of 50 ms to 1 s by default) and pausing 40 ms between requests, until the stop has been
 * signalled ({@link #stopping()}) and then the server refuses three requests in a row or is gone. Bounded: 3000
 * requests in all, 40 s.
 *
 * <p>It counts what the users would see: every answer by its status code, and every request that got no answer by
 * the kind of its {@link IOException} (connection refused, reset, closed before the answer). What each request got is
 * kept by label, so that a test can name the requests answered 5xx and why (the body).
 *
 * <p>An answer is not what tells a test whether the application owes a task: a request can reach the application and
 * lose its answer to the stop. The test applications record {@code REQUEST <label>} when a request reaches them,
 * before they register its task; the tests count every such request as work to be done, and use
 * {@link #answeredButNotRecorded} to check that no request answered 2xx escaped that record.
 *
 * <p>Connections: each client sends through the {@link Request} that {@code perClient} gives it. The tests' servers'
 * {@code get} use one shared {@code java.net.http.HttpClient} per server (HTTP/1.1), which keeps connections alive
 * and hands a pooled one to whichever client sends next, so the clients of {@link #start(int, Request,
 * BooleanSupplier)} already reuse connections, without saying which. {@link KeepAliveConnection} gives each client one
 * socket of its own that it keeps across requests, for the tests about kept-alive connections at a stop.
 *
 * <p>Used by the chaos and load tests on standalone Tomcat and Jetty, embedded Tomcat and Jetty, and Spring Boot.
 */
public final class LoadClients {

    /**
     * The path of {@code /work} (after the context path) for a load request: every other one (an odd {@code n} in
     * {@code load-<c>-<n>}) hands its task to the application's own pool with no API call ({@code via=pool}), which
     * only the agent's zero-code capture tracks; the others to {@code WaitUntil.run}.
     */
    public static String work(String label, long ms) {
        boolean odd = (label.charAt(label.length() - 1) - '0') % 2 == 1;
        return "/work?label=" + label + "&ms=" + ms + (odd ? "&via=pool" : "");
    }

    /** Sends the request that registers the task {@code label} of {@code ms}; returns the answer. */
    @FunctionalInterface
    public interface Request {
        Answer send(String label, long ms) throws IOException, InterruptedException;
    }

    /** A status and a body. */
    public record Answer(int status, String body) {
        public static Answer of(HttpResponse<String> response) {
            return new Answer(response.statusCode(), response.body());
        }
    }

    /** What one request got: an answer, or the kind of failure that took its place; and whether it was sent after the stop. */
    public record Outcome(int status, String body, String failure, boolean afterStop) {
        public boolean answered() {
            return failure == null;
        }

        public boolean is2xx() {
            return answered() && status / 100 == 2;
        }

        public boolean is5xx() {
            return answered() && status / 100 == 5;
        }

        @Override
        public String toString() {
            return (answered() ? status + " " + (body == null ? "" : body.strip()) : failure)
                    + (afterStop ? " (sent after the stop)" : "");
        }
    }

    /** How the clients send: how many, the pause between two requests of one client, the length of the tasks. */
    public static final class Settings {
        private int clients = 4;
        private Duration pause = Duration.ofMillis(40);
        private long minTaskMillis = 50;
        private long maxTaskMillis = 1000;

        public Settings clients(int clients) {
            this.clients = clients;
            return this;
        }

        public Settings pause(Duration pause) {
            this.pause = pause;
            return this;
        }

        public Settings taskMillis(long min, long max) {
            this.minTaskMillis = min;
            this.maxTaskMillis = max;
            return this;
        }

        /** Starts the clients, each sending through the {@link Request} {@code perClient} gives it. */
        public LoadClients start(IntFunction<Request> perClient, BooleanSupplier alive) {
            return LoadClients.start(this, perClient, alive);
        }
    }

    private static final int MAX_REQUESTS = 3000;
    private static final long MAX_SECONDS = 40;

    private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();

    private LoadClients(int clients) {
        this.pool = Executors.newFixedThreadPool(clients);
    }

    public static Settings settings() {
        return new Settings();
    }

    /** Starts {@code clients} threads sending {@code request}; {@code alive} tells whether the server still runs. */
    public static LoadClients start(int clients, Request request, BooleanSupplier alive) {
        return start(settings().clients(clients), c -> request, alive);
    }

    private static LoadClients start(Settings settings, IntFunction<Request> perClient, BooleanSupplier alive) {
        LoadClients load = new LoadClients(settings.clients);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
        for (int c = 0; c < settings.clients; c++) {
            int client = c;
            Request request = perClient.apply(client);
            load.clients.add(load.pool.submit(() -> {
                try {
                    load.run(client, request, settings, alive, deadline);
                } finally {
                    if (request instanceof AutoCloseable closeable) {
                        closeable.close();
                    }
                }
                return null;
            }));
        }
        return load;
    }

    private void run(int client, Request request, Settings settings, BooleanSupplier alive, long deadline)
            throws InterruptedException {
        Random random = new Random(client);
        int refusedInARow = 0;
        for (int n = 0; sent.get() < MAX_REQUESTS && System.nanoTime() - deadline < 0; n++) {
            boolean afterStop = stopping.get();
            if (afterStop && (refusedInARow >= 3 || !alive.getAsBoolean())) {
                return;
            }
            String label = "load-" + client + "-" + n;
            long ms = settings.minTaskMillis
                    + random.nextInt((int) (settings.maxTaskMillis - settings.minTaskMillis + 1));
            sent.incrementAndGet();
            Outcome outcome;
            try {
                Answer answer = request.send(label, ms);
                outcome = new Outcome(answer.status(), answer.body(), null, afterStop);
            } catch (IOException e) {
                outcome = new Outcome(-1, null, kind(e), afterStop);
            }
            outcomes.put(label, outcome);
            refusedInARow = outcome.is2xx() ? 0 : refusedInARow + 1;
            Thread.sleep(settings.pause.toMillis());
        }
    }

    /** {@code ConnectException}; a bare {@code IOException} with its message, which is all that tells them apart. */
    private static String kind(IOException e) {
        String name = e.getClass().getSimpleName();
        if (e.getClass() == IOException.class && e.getMessage() != null) {
            String message = e.getMessage();
            return name + " (" + (message.length() > 60 ? message.substring(0, 60) + "..." : message) + ")";
        }
        return name;
    }

    /**
     * Waits until at least {@code n} requests have been answered 2xx, or {@code timeout} has passed. A test that needs
     * so much load before its stop counts it, rather than assuming that a fixed time brings it: on a loaded machine
     * it may not. The test still asserts the count, which now fails only if the server answers nothing 2xx for so
     * long.
     */
    public void awaitAnswered2xx(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outcomes.values().stream().filter(Outcome::is2xx).count() < n && System.nanoTime() - deadline < 0) {
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

    public int sent() {
        return sent.get();
    }

    /** What each request got, by label. */
    public Map<String, Outcome> outcomes() {
        return new TreeMap<>(outcomes);
    }

    private List<String> labels(Predicate<Outcome> which) {
        return outcomes.entrySet().stream()
                .filter(e -> which.test(e.getValue()))
                .map(Map.Entry::getKey)
                .sorted()
                .collect(Collectors.toList());
    }

    /** The labels of the requests answered 2xx. */
    public List<String> answered2xx() {
        return labels(Outcome::is2xx);
    }

    public int answered2xxAfterStop() {
        return labels(o -> o.is2xx() && o.afterStop()).size();
    }

    /** The requests answered 5xx, by label: what the users saw fail. */
    public Map<String, Outcome> answered5xx() {
        return outcomes.entrySet().stream()
                .filter(e -> e.getValue().is5xx())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    public int count5xx() {
        return answered5xx().size();
    }

    /** Requests that were not answered 2xx: other statuses and failures. The clients stop on these after the stop. */
    public int refused() {
        return labels(o -> !o.is2xx()).size();
    }

    /** Answers by status code. */
    public Map<Integer, Integer> statuses() {
        Map<Integer, Integer> statuses = new TreeMap<>();
        outcomes.values().stream().filter(Outcome::answered).forEach(o -> statuses.merge(o.status(), 1, Integer::sum));
        return statuses;
    }

    /** Requests without an answer, by the kind of their failure. */
    public Map<String, Integer> failures() {
        Map<String, Integer> failures = new TreeMap<>();
        outcomes.values().stream()
                .filter(o -> !o.answered())
                .forEach(o -> failures.merge(o.failure(), 1, Integer::sum));
        return failures;
    }

    /**
     * Every answer and failure counted: {@code sent 412: 2xx 398 (12 sent after the stop), 4xx 0, 5xx 0 (200 398);
     * no answer 14 (ConnectException 14)}.
     */
    public String statusCounts() {
        Map<Integer, Integer> statuses = statuses();
        Map<String, Integer> failures = failures();
        return "sent " + sent() + ": 2xx " + byClass(statuses, 2) + " (" + answered2xxAfterStop()
                + " sent after the stop), "
                + "4xx " + byClass(statuses, 4) + ", 5xx " + byClass(statuses, 5) + " "
                + statuses.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ", "(", ")"))
                + "; no answer "
                + failures.values().stream().mapToInt(Integer::intValue).sum() + " "
                + failures.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ", "(", ")"));
    }

    private static int byClass(Map<Integer, Integer> statuses, int hundreds) {
        return statuses.entrySet().stream()
                .filter(e -> e.getKey() / 100 == hundreds)
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    /**
     * Requests answered 2xx of which the application recorded no {@code REQUEST}: none, unless the record misses
     * requests, in which case counting the record's requests as the work to be done would prove nothing.
     */
    public List<String> answeredButNotRecorded(Collection<String> recorded) {
        Set<String> requested = new HashSet<>(recorded);
        return answered2xx().stream().filter(l -> !requested.contains(l)).collect(Collectors.toList());
    }
}
