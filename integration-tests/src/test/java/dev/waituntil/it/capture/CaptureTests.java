package dev.waituntil.it.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.capture.CaptureServers.Kind;
import dev.waituntil.it.capture.CaptureServers.Server;
import dev.waituntil.it.support.CaptureTestWar;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.TomcatTestWar.Event;
import dev.waituntil.it.support.TomcatTestWar.Events;
import dev.waituntil.it.support.TomcatTestWar.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Zero-code capture on a real container: a legacy WAR ({@link CaptureTestWar}) with no wait-until API jar hands its
 * work to its own fixed pool ({@code submit}, {@code execute}), to {@code CompletableFuture.runAsync} (default
 * executor) and {@code supplyAsync} (its pool), and from a pool task on to the pool again; its
 * {@code contextDestroyed} calls {@code shutdownNow()} on the pool. With the agent and nothing else, a stop (SIGTERM)
 * and an undeploy run every piece of that work to its end before the application's {@code contextDestroyed}; without
 * the agent (the controls, same load) work is interrupted, dropped from the pool's queue or lost with the JVM.
 *
 * <p>What capture must leave alone: a thread a library starts lazily inside a request (endless, daemon), and the
 * container's own work. The first would hold every stop until the drain's deadline if it were captured; the proof
 * that such a hold is seen is {@link #endlessWorkHandedToThePoolIsCapturedAndHoldsTheStopUntilTheDeadline}. The second
 * shows in the agent's count of pending tasks when a drain begins (with {@code debug=true}), checked against what the
 * application handed over.
 *
 * <p>Every request's status is counted, and the work owed is taken from the application's own {@code REQUEST} lines:
 * every request that reached it. The events file is read after the fact; the order of its lines is the order of the
 * events. Figures go to {@code target/it-work/capture-<id>/figures.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CaptureTests {

    /** Requests to {@code /work}, each handing over six pieces of work: 24 for a pool of 16, 6 for the default one. */
    private static final int REQUESTS = 6;

    /** The shortest piece of work before a SIGTERM: pending when the signal is sent right after the last request. */
    static final long SIGTERM_WORK_MILLIS = 1500;

    /**
     * The shortest before an undeploy, longer: the container notices the deleted WAR a second or two later, and the
     * control needs work still pending then.
     */
    private static final long UNDEPLOY_WORK_MILLIS = 2500;

    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(45);
    private static final Pattern DRAINING =
            Pattern.compile("wait-until: draining (.+) for .*: (\\d+) task\\(s\\) pending");

    private final Supplier<Kind> kindSupplier;
    private Kind kind;
    private Path dir;
    private Path war;

    protected CaptureTests(Supplier<Kind> kind) {
        this.kindSupplier = kind;
    }

    @BeforeAll
    void buildTheWar() throws Exception {
        kind = kindSupplier.get();
        dir = ItEnvironment.freshWorkDir("capture-" + kind.id());
        war = CaptureTestWar.build(kind.servletApiJar(), kind.servletPackage(), dir.resolve("war"));
    }

    // =====================================================================================  SIGTERM

    /**
     * SIGTERM with the work of six requests pending, plus a library thread started lazily in a request: every piece
     * of work is done before {@code contextDestroyed}, none is lost; the library thread does not hold the stop (no
     * drain reaches its deadline, nothing is named as still pending); the drain begins with the application's own
     * tasks pending and nothing more (the container's work and the library's flushes are not captured).
     */
    @Test
    void sigtermWithWorkPendingInTheJdksExecutorsRunsItAllBeforeContextDestroyed() throws Exception {
        long started = System.nanoTime();
        try (Server server = start("sigterm", true, List.of(), "app")) {
            assertEquals(200, server.status("/app/lazy"), server.describe());
            awaitEvent(server, "FLUSHED", "/app");
            List<String> owed = handOver(server, "app", "sigterm", SIGTERM_WORK_MILLIS);
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            Events events = server.events();
            Outcome o = Outcome.beforeContextDestroyed(events, owed, "/app");
            String why = why(o, events, server);
            figure("SIGTERM, agent", o, events, server, started);

            assertNothingDoneBefore(server.stopWallMillis(), events, owed, why);
            assertEquals(List.of(), o.lost, "every piece of work was done (none lost)\n" + why);
            assertEquals(List.of(), o.late, "... before the application's contextDestroyed\n" + why);
            assertTrue(events.first("POOL-SHUT-DOWN", "/app").isPresent(), "the stop went on\n" + why);
            assertTrue(events.first("LAZY-STARTED", "/app").isPresent(), "the library thread ran\n" + why);
            assertNotHeldByTheLibraryThread(server, why);
            assertCapturedOnlyTheApplicationsWork(server, owed, why);
            assertDrainsCountOnlyTheApplicationsWork(server, events, owed, why);
        }
    }

    /** The control: the same run without the agent loses work or runs it after {@code contextDestroyed}. */
    @Test
    void withoutTheAgentTheSameSigtermLosesWorkOrRunsItAfterContextDestroyed() throws Exception {
        long started = System.nanoTime();
        try (Server server = start("sigterm", false, List.of(), "app")) {
            List<String> owed = handOver(server, "app", "sigterm", SIGTERM_WORK_MILLIS);
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            Events events = server.events();
            Outcome o = Outcome.beforeContextDestroyed(events, owed, "/app");
            String why = why(o, events, server);
            figure("SIGTERM, no agent (control)", o, events, server, started);

            assertNothingDoneBefore(server.stopWallMillis(), events, owed, why);
            assertEquals(List.of(), server.linesContaining("wait-until"), "no agent\n" + why);
            assertFalse(o.lost.isEmpty() && o.late.isEmpty(), "without the agent work is lost or late\n" + why);
        }
    }

    // =====================================================================================  undeploy

    /**
     * Undeploy (the WAR deleted) of one of two applications with the work of six requests pending: all of it is done
     * before that application's {@code contextDestroyed} shuts its pool down; the server stays up, the other
     * application answers, the undeployed one is gone.
     */
    @Test
    void undeployRunsEveryPieceOfWorkBeforeContextDestroyedWhileTheServerStaysUp() throws Exception {
        long started = System.nanoTime();
        try (Server server = start("undeploy", true, List.of(), "app", "keep")) {
            List<String> owed = handOver(server, "app", "undeploy", UNDEPLOY_WORK_MILLIS);
            long deleted = System.currentTimeMillis();
            server.undeploy("app");
            awaitEvent(server, "POOL-SHUT-DOWN", "/app");
            assertTrue(server.isAlive(), "the server stays up\n" + server.describe());
            assertEquals(200, server.status("/keep/ping"), "the other application answers\n" + server.describe());
            assertEquals(404, server.status("/app/ping"), "/app is gone\n" + server.describe());
            Events events = server.events();
            Outcome o = Outcome.beforeContextDestroyed(events, owed, "/app");
            String why = why(o, events, server);
            figure("undeploy, agent", o, events, server, started);

            assertNothingDoneBefore(deleted, events, owed, why);
            assertEquals(List.of(), o.lost, "every piece of work was done (none lost)\n" + why);
            assertEquals(List.of(), o.late, "... before the application's contextDestroyed\n" + why);
            assertTrue(events.first("DESTROYED", "/keep").isEmpty(), "/keep is untouched\n" + why);
            assertEquals(List.of(), server.linesContaining("still pending"), "nothing timed out\n" + why);
            assertCapturedOnlyTheApplicationsWork(server, owed, why);
            assertDrainsCountOnlyTheApplicationsWork(server, events, owed, why);
        }
    }

    /** The control: the same undeploy without the agent loses work or runs it after {@code contextDestroyed}. */
    @Test
    void withoutTheAgentTheSameUndeployLosesWorkOrRunsItAfterContextDestroyed() throws Exception {
        long started = System.nanoTime();
        try (Server server = start("undeploy", false, List.of(), "app", "keep")) {
            List<String> owed = handOver(server, "app", "undeploy", UNDEPLOY_WORK_MILLIS);
            long deleted = System.currentTimeMillis();
            server.undeploy("app");
            awaitEvent(server, "POOL-SHUT-DOWN", "/app");
            assertEquals(200, server.status("/keep/ping"), "the other application answers\n" + server.describe());
            // What the pool held is interrupted or dropped at once; CompletableFuture's default executor is not shut
            // down: its work ends when it ends, after contextDestroyed.
            awaitQuiet(server, owed);
            Events events = server.events();
            Outcome o = Outcome.beforeContextDestroyed(events, owed, "/app");
            String why = why(o, events, server);
            figure("undeploy, no agent (control)", o, events, server, started);

            assertNothingDoneBefore(deleted, events, owed, why);
            assertFalse(o.lost.isEmpty() && o.late.isEmpty(), "without the agent work is lost or late\n" + why);
        }
    }

    // =====================================================================================  what holds a stop

    /**
     * What {@link #sigtermWithWorkPendingInTheJdksExecutorsRunsItAllBeforeContextDestroyed} rules out, shown to be
     * seen: the library's endless loop handed to the application's pool instead of a thread of its own is captured,
     * so the drain waits for it until its deadline (5 s here) and names it as still pending.
     */
    @Test
    void endlessWorkHandedToThePoolIsCapturedAndHoldsTheStopUntilTheDeadline() throws Exception {
        long started = System.nanoTime();
        try (Server server = start("endless", true, List.of("-Dwaituntil.drain.timeout=5s"), "app")) {
            assertEquals(200, server.status("/app/endless?label=endless"), server.describe());
            awaitEvent(server, "ENDLESS-RUNNING", "endless");
            server.sigterm();
            server.awaitExit(EXIT_TIMEOUT);
            Events events = server.events();
            String why = events.describe() + "\n" + server.describe();
            Figures.record(
                    dir,
                    String.format(
                            "[%s] endless pool work, agent, drain timeout 5 s: stop -> exit %,d ms; test %,d ms",
                            kind.id(), server.stopToExitMillis(), millisSince(started)));

            List<String> pending = server.linesContaining("still pending");
            assertFalse(pending.isEmpty(), "the drain named the endless work as still pending\n" + why);
            assertTrue(
                    pending.stream().anyMatch(l -> l.contains("ThreadPoolExecutor.execute")),
                    "... by how it was handed over\n" + why);
            assertTrue(events.first("POOL-SHUT-DOWN", "/app").isPresent(), "the stop went on\n" + why);
        }
    }

    // =====================================================================================  scenario

    /**
     * Sends {@value #REQUESTS} requests {@code /<app>/work?label=<prefix>-<i>&ms=<shortest>..<shortest + 1500>};
     * asserts that each was answered 200 and reached the application; returns the labels of every piece of work those
     * requests owe.
     */
    static List<String> handOver(Server server, String app, String prefix, long shortest) throws Exception {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 1; i <= REQUESTS; i++) {
            String label = prefix + "-" + i;
            long ms = shortest + (i * 523L) % 1501;
            statuses.merge(server.status("/" + app + "/work?label=" + label + "&ms=" + ms), 1, Integer::sum);
        }
        assertEquals(Map.of(200, REQUESTS), statuses, "every request answered 200\n" + server.describe());
        List<String> requested = server.events().ofKind("REQUEST").stream()
                .map(Event::subject)
                .filter(l -> l.startsWith(prefix + "-"))
                .collect(Collectors.toList());
        assertEquals(REQUESTS, requested.size(), "every request reached the application\n" + server.describe());
        List<String> owed = new ArrayList<>();
        for (String label : requested) {
            for (String work : CaptureTestWar.WORK) {
                owed.add(label + "-" + work);
            }
        }
        return owed;
    }

    /** Precondition: none of the work had ended when the stop or the undeploy began. */
    static void assertNothingDoneBefore(long millis, Events events, List<String> owed, String why) {
        List<String> doneBefore = owed.stream()
                .filter(l ->
                        events.first("DONE", l).map(e -> e.millis() < millis).orElse(false))
                .collect(Collectors.toList());
        assertEquals(List.of(), doneBefore, "precondition: all work pending when the stop began\n" + why);
    }

    /** No drain waited for its deadline and nothing was named as still pending. */
    private static void assertNotHeldByTheLibraryThread(Server server, String why) {
        assertEquals(List.of(), server.linesContaining("still pending"), "nothing was left pending\n" + why);
        assertEquals(
                List.of(), server.linesContaining("reached the drain's deadline"), "no drain hit its deadline\n" + why);
    }

    /**
     * With {@code debug=true} each capture is logged ({@code wait-until: captured '<how> from <request>'}): exactly one
     * line per piece of work owed, each from a request to {@code /app/work}. Nothing of the container's (its logging
     * pool, which the application's log lines go through on Tomcat), nothing of the library thread's.
     */
    static void assertCapturedOnlyTheApplicationsWork(Server server, List<String> owed, String why) {
        List<String> captured = server.linesContaining("wait-until: captured ");
        List<String> other = captured.stream()
                .filter(l -> !l.contains(" from GET /app/work' "))
                .collect(Collectors.toList());
        assertEquals(List.of(), other, "only the application's work is captured\n" + why);
        assertEquals(owed.size(), captured.size(), "each piece of work is captured once, nothing else\n" + why);
    }

    /**
     * Each {@code draining ...: N task(s) pending} line counts the application's work and nothing else: N is the
     * work handed over inside the requests ({@value CaptureTestWar#HANDED_IN_REQUEST} per request), plus what was
     * handed on by a task, less what had ended, by the time the line was read (a bound on when it was written).
     */
    private static void assertDrainsCountOnlyTheApplicationsWork(
            Server server, Events events, List<String> owed, String why) {
        List<JavaProcess.Line> lines = server.lines().stream()
                .filter(l -> DRAINING.matcher(l.text()).find())
                .collect(Collectors.toList());
        assertFalse(lines.isEmpty(), "a drain logged its pending count (debug=true)\n" + why);
        int requests = owed.size() / CaptureTestWar.WORK.size();
        for (JavaProcess.Line line : lines) {
            Matcher m = DRAINING.matcher(line.text());
            assertTrue(m.find());
            int pending = Integer.parseInt(m.group(2));
            long read = server.startWallMillis() + line.millis();
            long handedOn = events.ofKind("HANDED").stream()
                    .filter(e -> owed.contains(e.subject()) && e.millis() <= read)
                    .count();
            long ended = owed.stream()
                    .filter(l -> events.first("DONE", l)
                            .or(() -> events.first("INTERRUPTED", l))
                            .map(e -> e.millis() <= read)
                            .orElse(false))
                    .count();
            long handed = (long) requests * CaptureTestWar.HANDED_IN_REQUEST;
            assertTrue(
                    pending >= handed - ended && pending <= handed + handedOn,
                    "the drain counts the application's work only: " + pending + " pending, " + handed
                            + " handed over in requests, " + handedOn + " handed on, " + ended + " ended by then: "
                            + line + "\n" + why);
        }
    }

    // =====================================================================================  helpers

    private Server start(String test, boolean agent, List<String> options, String... apps) throws Exception {
        return kind.start(dir, test, war, agent ? "debug=true" : null, options, apps);
    }

    private static Event awaitEvent(Server server, String kind, String subject) throws Exception {
        long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
        while (true) {
            Optional<Event> e = server.events().first(kind, subject);
            if (e.isPresent()) {
                return e.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no '" + kind + " " + subject + "' event within " + EVENT_TIMEOUT.toSeconds()
                        + " s\n" + server.events().describe() + "\n" + server.describe());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits (bounded) until each piece of work owed has ended one way or another (done, interrupted) or cannot end
     * any more: a piece that was never started by then is lost. The longest piece ends 5 s after its hand-over.
     */
    private static void awaitQuiet(Server server, List<String> owed) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0) {
            Events events = server.events();
            if (owed.stream()
                    .allMatch(l -> events.first("DONE", l).isPresent()
                            || events.first("INTERRUPTED", l).isPresent())) {
                return;
            }
            Thread.sleep(100);
        }
    }

    static String why(Outcome o, Events events, Server server) {
        return o.describe() + "\n" + events.describe() + "\n" + server.describe();
    }

    private void figure(String what, Outcome o, Events events, Server server, long startedNanos) {
        long interrupted = events.ofKind("INTERRUPTED").size();
        String drains = server.linesContaining("wait-until: draining ").stream()
                .map(l -> l.substring(l.indexOf("draining ")))
                .collect(Collectors.joining(" | "));
        Figures.record(
                dir,
                String.format(
                        "[%s] %s: %s, interrupted %d; stop -> exit %s ms; test %,d ms%s",
                        kind.id(),
                        what,
                        o.summary(),
                        interrupted,
                        server.isAlive() ? "(running)" : String.valueOf(server.stopToExitMillis()),
                        millisSince(startedNanos),
                        drains.isEmpty() ? "" : "; agent: " + drains));
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
