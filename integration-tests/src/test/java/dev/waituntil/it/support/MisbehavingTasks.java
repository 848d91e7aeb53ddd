package dev.waituntil.it.support;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.JettyTestWebApp.Record;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.function.Executable;

/**
 * Misbehaving tasks inside a real container under load, with the application of {@link JettyTestWebApp}
 * (standalone Jetty, embedded Tomcat and Jetty). While {@link LoadClients} keep registering ordinary tasks, the
 * test registers, just before the stop:
 * <ul>
 * <li>{@code deaf}: a task that never ends and swallows interrupts;</li>
 * <li>{@code stuck}: a task that blocks until it is interrupted;</li>
 * <li>{@code chain}: a task that registers the next of {@value #LINKS} links itself, most of them during the
 *     drain;</li>
 * <li>{@code burst}: {@value #BURST} futures that one thread completes in one loop during the drain.</li>
 * </ul>
 * With {@code waituntil.drain.timeout} at {@value #DRAIN_TIMEOUT}, the stop must wait for the deadline (the two
 * tasks that never end), then go on: every load task, every link of the chain and the burst finished before the
 * application was torn down; exactly two tasks, {@code deaf} and {@code stuck}, are named as still pending at the
 * deadline (so none of the 2 000 was left or counted twice); {@code stuck} was interrupted, {@code deaf} was
 * interrupted and ignored it; and the JVM exits after the deadline although {@code deaf} still runs (within 30 s
 * of it, which tells "went on" from "held by deaf" on any machine). Requests that reach the application during the
 * stop are served as before it; only those that come after the deadline, when the application has been drained, are
 * answered 503, and no other request gets a 5xx.
 */
public final class MisbehavingTasks {

    /** The drain timeout the server is started with: {@code -Dwaituntil.drain.timeout=5s}. */
    public static final String DRAIN_TIMEOUT = "5s";

    static final long DRAIN_TIMEOUT_MS = 5_000;
    static final int LINKS = 5;
    static final long LINK_MS = 400;
    static final int BURST = 2_000;
    static final long BURST_AFTER_MS = 1_500;
    /** Load requests answered 2xx before the misbehaving ones are registered: the callers wait for them (bounded). */
    public static final int LOAD_BEFORE = 10;
    /** How long a caller waits for {@link #LOAD_BEFORE} load requests answered 2xx. */
    public static final Duration LOAD_WAIT = Duration.ofSeconds(30);

    private MisbehavingTasks() {}

    /** Registers the four misbehaving tasks ({@code get} is relative to the application); each must be answered 2xx. */
    public static void register(HttpGet get) throws IOException, InterruptedException {
        for (String request : List.of(
                "/deaf?label=deaf",
                "/stuck?label=stuck",
                "/chain?label=chain&links=" + LINKS + "&ms=" + LINK_MS,
                "/burst?label=burst&n=" + BURST + "&ms=" + BURST_AFTER_MS)) {
            int status = get.status(request);
            assertEquals(2, status / 100, request + " answered " + status);
        }
    }

    /**
     * Checks the outcome of a run: the record file, the server's output, what the load's clients saw, and the time
     * from the stop to the JVM's exit. Every property is checked, and all that fail are reported together.
     *
     * <p>The load's task of every request that reached the application ({@code REQUEST}) is owed, whatever the
     * answer, except where the application answered 503 on purpose: a request that came after the drain had reached
     * its deadline, when the application's scope has been drained and {@code register} throws
     * {@code RejectedTaskException} ("... has been drained for ..."). No other 5xx may reach a user.
     */
    public static void assertOutcome(
            String run,
            Record record,
            JavaProcess process,
            LoadClients load,
            long stopToExitMillis,
            String application) {
        int teardown = record.teardownIndex(application);
        List<String> chain = new ArrayList<>();
        for (int k = 1; k <= LINKS; k++) {
            chain.add("chain-" + k);
        }
        List<String> requested = record.subjects("REQUEST", "load-");
        List<String> rejected = record.subjects("REJECTED", "load-");
        Map<String, LoadClients.Outcome> answered5xx = load.answered5xx();
        Map<String, LoadClients.Outcome> outcomes = load.outcomes();
        List<String> owed =
                requested.stream().filter(l -> !rejected.contains(l)).collect(Collectors.toList());
        List<String> named = process.linesContaining(" is still pending");
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(
                load.answered2xx().size() >= LOAD_BEFORE,
                "the load was real: " + load.answered2xx().size() + " answered 2xx"));
        checks.add(() -> assertEquals(
                List.of(),
                load.answeredButNotRecorded(requested),
                "every request answered 2xx was recorded by the application"));
        checks.add(() -> assertEquals(
                List.of(),
                notDoneBefore(record, owed, teardown),
                "every load task whose request reached the application finished before the application's teardown"));
        checks.add(() -> assertEquals(
                Map.of(),
                answered5xx.entrySet().stream()
                        .filter(e -> !isDrainedRejection(e.getKey(), e.getValue()) || !rejected.contains(e.getKey()))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                "every 5xx is the application's 503 for a request that came after the drain's deadline, when its scope "
                        + "had been drained"));
        checks.add(() -> assertEquals(
                List.of(),
                rejected.stream()
                        .filter(l -> outcomes.containsKey(l)
                                && outcomes.get(l).answered()
                                && !isDrainedRejection(l, outcomes.get(l)))
                        .collect(Collectors.toList()),
                "every load task the application was refused was refused for a drained " + "scope"));
        // Links are registered by tasks during the drain, before its deadline: never refused.
        checks.add(() -> assertEquals(
                List.of(),
                record.lines().stream()
                        .filter(l -> l.startsWith("REJECTED chain-"))
                        .collect(Collectors.toList()),
                "no link of the chain was refused"));
        checks.add(() -> assertEquals(
                List.of(),
                notDoneBefore(record, chain, teardown),
                "every link of the chain, registered by the link before it, finished before the teardown"));
        checks.add(() -> assertTrue(
                record.has("BURST-RELEASED", "burst")
                        && (teardown < 0 || record.indexOf("BURST-RELEASED", "burst") < teardown),
                "the burst's " + BURST + " futures were completed, before the teardown"));
        checks.add(
                () -> assertTrue(record.has("INTERRUPTED", "stuck"), "the stuck task was interrupted at the deadline"));
        checks.add(() ->
                assertTrue(record.has("IGNORED-INTERRUPT", "deaf"), "the deaf task was interrupted and ignored it"));
        checks.add(() -> assertEquals(
                2,
                named.size(),
                "exactly the two tasks that never end are named at the deadline, " + "none of the " + BURST
                        + " nor the chain's: " + named));
        checks.add(() -> assertTrue(
                named.stream().anyMatch(l -> l.contains("'deaf'"))
                        && named.stream().anyMatch(l -> l.contains("'stuck'")),
                "the named ones are deaf and stuck: " + named));
        checks.add(() -> assertTrue(
                stopToExitMillis >= DRAIN_TIMEOUT_MS - 500,
                "the stop waited for the drain's " + "deadline: " + stopToExitMillis + " ms"));
        // deaf never ends: an exit at all shows the stop went on; 30 s past the deadline is "soon after it" on any
        // machine.
        checks.add(() -> assertTrue(
                stopToExitMillis < DRAIN_TIMEOUT_MS + 30_000,
                "the JVM exited within 30 s of the " + "deadline although the deaf task still ran: " + stopToExitMillis
                        + " ms"));
        String figures = "misbehaving tasks, " + run + ": load requests " + load.statusCounts() + "; reached the "
                + "application " + requested.size() + ", refused their task (REJECTED, answered 503) " + rejected.size()
                + ", tasks done "
                + owed.stream().filter(l -> record.has("DONE", l)).count() + " of " + owed.size()
                + "; chain links done "
                + record.lines().stream()
                        .filter(l -> l.startsWith("DONE chain-"))
                        .count() + " of "
                + LINKS + "; burst of " + BURST + " released " + record.has("BURST-RELEASED", "burst")
                + "; stuck interrupted " + record.has("INTERRUPTED", "stuck") + "; deaf ignored its interrupt "
                + record.has("IGNORED-INTERRUPT", "deaf") + "; named at the deadline " + named.size()
                + "; stop to exit "
                + stopToExitMillis + " ms (drain timeout " + DRAIN_TIMEOUT + ")";
        Figures.print(figures);
        assertAll(figures + "\n5xx answers: " + answered5xx + "\n" + record + "\n" + process.describe(), checks);
    }

    /** The test application's answer to a registration refused because the scope had been drained. */
    private static boolean isDrainedRejection(String label, LoadClients.Outcome outcome) {
        return outcome.answered()
                && outcome.status() == 503
                && outcome.body() != null
                && outcome.body().startsWith("rejected " + label + ": ")
                && outcome.body().contains(" has been drained for ");
    }

    private static List<String> notDoneBefore(Record record, List<String> labels, int teardown) {
        return labels.stream()
                .filter(l -> !record.has("DONE", l)
                        || record.has("INTERRUPTED", l)
                        || (teardown >= 0 && record.indexOf("DONE", l) > teardown))
                .collect(Collectors.toList());
    }
}
