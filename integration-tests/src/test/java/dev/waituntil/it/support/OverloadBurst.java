package dev.waituntil.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Overload: the server runs with one executor thread and a queue of 20 ({@link #SYSTEM_PROPERTIES}); 8
 * clients send 40 requests each at once, each registering a task of 100 ms ({@code /work?label=burst-<c>-<n>&ms=100}
 * under the application), while a ninth client sends {@code /ping} every 50 ms. Registrations beyond the queue get
 * {@code RejectedTaskException}, which the test applications answer with 503.
 *
 * <p>{@link #assertNothingDroppedSilently} then checks: every request was answered 200 (accepted) or 503
 * (rejected); the burst went beyond the queue; every accepted task ran and no rejected one did; every rejection
 * reached the application and the agent's log; {@code /ping} kept being answered (200 each time; how fast is
 * printed, not asserted: it is the machine's).
 */
public final class OverloadBurst {

    /** The settings the server is started with. */
    public static final Map<String, String> SYSTEM_PROPERTIES =
            Map.of("waituntil.executor.threads", "1", "waituntil.executor.queue", "20");

    static final int CLIENTS = 8;
    static final int PER_CLIENT = 40;

    private final Map<String, Integer> statusByLabel = new ConcurrentHashMap<>();
    private final List<Long> pingMillis = Collections.synchronizedList(new ArrayList<>());

    private OverloadBurst() {}

    /** Sends the burst and the pings through {@code app} (relative to the application); returns when all are answered. */
    public static OverloadBurst send(HttpGet app) throws Exception {
        OverloadBurst burst = new OverloadBurst();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        try {
            List<Future<?>> sending = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                sending.add(pool.submit(() -> {
                    for (int n = 0; n < PER_CLIENT; n++) {
                        String label = "burst-" + client + "-" + n;
                        burst.statusByLabel.put(label, app.status("/work?label=" + label + "&ms=100"));
                    }
                    return null;
                }));
            }
            Future<?> pinging = pool.submit(() -> {
                while (sending.stream().anyMatch(f -> !f.isDone())) {
                    long t = System.nanoTime();
                    assertEquals(200, app.status("/ping"), "/ping during the burst");
                    burst.pingMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
                    Thread.sleep(50);
                }
                return null;
            });
            for (Future<?> f : sending) {
                f.get(120, TimeUnit.SECONDS);
            }
            pinging.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        return burst;
    }

    public List<String> accepted() {
        return withStatus(s -> s == 200);
    }

    public List<String> rejected() {
        return withStatus(s -> s == 503);
    }

    private List<String> withStatus(Predicate<Integer> status) {
        return statusByLabel.entrySet().stream()
                .filter(e -> status.test(e.getValue()))
                .map(Map.Entry::getKey)
                .sorted()
                .collect(Collectors.toList());
    }

    /** Answers other than 200 and 503, by status. */
    public Map<Integer, Integer> others() {
        Map<Integer, Integer> others = new TreeMap<>();
        statusByLabel.values().stream()
                .filter(s -> s != 200 && s != 503)
                .forEach(s -> others.merge(s, 1, Integer::sum));
        return others;
    }

    /**
     * Checks the burst once the server has stopped: {@code ran} tells whether a task's {@code DONE} was recorded,
     * {@code recorded} whether the application recorded a rejection of it, {@code agentLogLines} how many lines of the
     * agent's log say the queue was full. Prints the figures first.
     */
    public void assertNothingDroppedSilently(
            String container, Predicate<String> ran, Predicate<String> recorded, long agentLogLines, String why) {
        List<String> accepted = accepted();
        List<String> rejected = rejected();
        List<String> lost = accepted.stream().filter(ran.negate()).collect(Collectors.toList());
        List<String> rejectedButRan = rejected.stream().filter(ran).collect(Collectors.toList());
        List<String> unrecorded = rejected.stream().filter(recorded.negate()).collect(Collectors.toList());
        long slowestPing = pingMillis.stream().mapToLong(Long::longValue).max().orElse(-1);
        Figures.print(String.format(
                "[%s] overload: sent %d, accepted %d, rejected %d (503), other answers %s;"
                        + " accepted finished %d, lost %d; rejected that ran %d; /ping answered %d times during the burst,"
                        + " slowest %d ms",
                container,
                CLIENTS * PER_CLIENT,
                accepted.size(),
                rejected.size(),
                others(),
                accepted.size() - lost.size(),
                lost.size(),
                rejectedButRan.size(),
                pingMillis.size(),
                slowestPing));
        assertEquals(CLIENTS * PER_CLIENT, statusByLabel.size(), "every request was answered\n" + why);
        assertEquals(Map.of(), others(), "every answer is 200 (accepted) or 503 (rejected)\n" + why);
        assertTrue(rejected.size() > 0, "the burst went beyond the queue\n" + why);
        assertTrue(accepted.size() >= 21, "the thread and the queue were used\n" + why);
        assertEquals(List.of(), lost, "every accepted task ran\n" + why);
        assertEquals(List.of(), rejectedButRan, "no rejected task ran\n" + why);
        assertEquals(List.of(), unrecorded, "every rejection reached the application as an exception\n" + why);
        assertTrue(
                agentLogLines >= rejected.size(),
                "every rejection is in the agent's log (debug) with its reason: " + agentLogLines + " lines\n" + why);
        // Every /ping during the burst was answered 200 (the pinging client fails on anything else, and its requests
        // are bounded by the client's timeout); a server that stopped answering would fail there, on any machine.
        assertTrue(!pingMillis.isEmpty(), "the server kept answering /ping during the burst: " + pingMillis);
    }
}
