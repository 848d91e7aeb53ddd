package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.CaptureTestWar;
import dev.waituntil.it.support.Container;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.TomcatTestWar.Event;
import dev.waituntil.it.support.TomcatTestWar.Events;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link RedeployLeakIT} with zero-code capture: the redeployed application is the legacy one ({@link CaptureTestWar},
 * no API jar), whose requests hand work to its own fixed pool ({@code submit}, {@code execute}, a task that hands
 * more on to the pool), to {@code CompletableFuture.runAsync} on the common pool and to {@code supplyAsync} on its
 * pool, and whose {@code contextDestroyed} calls {@code shutdownNow()} on that pool. Each undeploy comes right after
 * the requests, with all of that work pending. The captured tasks hold the wrappers and records that tie work to its
 * application; after the undeploys none of it may keep an application class loader reachable, and no thread may keep
 * one as its context class loader; each cycle's work must have run to its end before that cycle's
 * {@code contextDestroyed}. Unlike {@link RedeployLeakIT}, Tomcat's "appears to have started a thread" warning is
 * expected for the application's own pool threads, which its {@code contextDestroyed} stops without waiting for
 * them (with capture off too); it must name no other thread.
 *
 * <p>The controls: with {@code capture=none} the same loop lets {@code contextDestroyed} interrupt the work or run it
 * after the application has stopped (the per-cycle checks can fail); with every loader pinned, the count sees them
 * (the leak checks can fail).
 */
class RedeployCaptureLeakIT {

    /**
     * Half of {@link RedeployLeakIT}'s ({@code it.redeploys}): 10 in CI, 25 under the stress profile. Each undeploy
     * here waits over a second for its work (a piece handed on lasts 1 s).
     */
    private static final int CYCLES = Integer.getInteger("it.redeploys", 20) / 2;

    /** The controls need a few cycles only: what they show, each cycle shows. */
    private static final int CONTROL_CYCLES = 3;

    /** Requests per cycle, each handing over the pieces of {@link CaptureTestWar#WORK}. */
    private static final int REQUESTS_PER_CYCLE = 2;

    private static final String REQUEST = "/a/work?label=cycle-%d-req-%d&ms=200";

    private static final Duration EXIT_TIMEOUT = Duration.ofMinutes(2);

    /** A thread of the application's {@code Executors.newFixedThreadPool} (the default thread factory's names). */
    private static final Pattern OWN_POOL_THREAD =
            Pattern.compile("started a thread named \\[pool-\\d+-thread-\\d+\\]");

    private static RedeployLoop loop;
    private static Path dir;

    @BeforeAll
    static void build() throws Exception {
        dir = ItEnvironment.freshWorkDir("redeploy-capture-leak");
        Container tomcat = Container.TOMCAT_10;
        CaptureTestWar.build(tomcat.servletApiJar(), tomcat.servletPackage(), dir.resolve("war"));
        loop = RedeployLoop.build(dir, dir.resolve("war").resolve("legacy-war"));
    }

    @Test
    void redeploysWithCapturedWorkInFlightLeaveNoClassLoaderAndNoThreadBehind() throws Exception {
        Path eventsFile = dir.resolve("events.log");
        try (JavaProcess p = loop.loop("redeploy capture", CYCLES, REQUESTS_PER_CYCLE, REQUEST, false)
                .systemProperty(CaptureTestWar.EVENTS_PROPERTY, eventsFile.toString())
                .start()) {
            int exit = p.waitFor(EXIT_TIMEOUT);
            Events events = Events.read(eventsFile);
            String out = p.describe() + "\n" + events.describe();
            Cycles cycles = Cycles.of(events, CYCLES);
            int pieces = CYCLES * REQUESTS_PER_CYCLE * CaptureTestWar.WORK.size();
            List<String> captured = p.linesContaining("wait-until: captured '");
            List<String> threadWarnings = p.linesContaining("appears to have started a thread");
            List<Executable> checks = new ArrayList<>();
            checks.add(() -> assertEquals(0, exit, "the loop ran to its end"));
            checks.add(() -> assertTrue(
                    p.firstLine(l -> l.contains("wait-until: capture: work handed over"))
                            .isPresent(),
                    "capture is on"));
            checks.add(() -> assertTrue(
                    p.texts().contains("LIVE LOADERS 0 OF " + CYCLES), "no application class loader survives"));
            checks.add(() -> assertTrue(
                    p.texts().contains("THREADS HOLDING A LOADER 0"), "no thread keeps one as context loader"));
            // The application's own pool threads are the application's: contextDestroyed interrupts them with
            // shutdownNow() and returns without awaiting their end, so Tomcat's check right after it may still meet
            // one exiting (with an empty stack trace), agent or not. The loader and thread counts above are the
            // leak checks for those; any other thread named here would be the agent's or the capture's doing.
            checks.add(() -> assertEquals(
                    List.of(),
                    threadWarnings.stream()
                            .filter(l -> !OWN_POOL_THREAD.matcher(l).find())
                            .collect(Collectors.toList()),
                    "Tomcat warned of no thread but the application's own pool's"));
            checks.add(() -> assertEquals(
                    CYCLES * REQUESTS_PER_CYCLE, events.ofKind("REQUEST").size(), "every request reached the servlet"));
            checks.add(() -> assertEquals(pieces, captured.size(), "each piece of work was captured once"));
            checks.add(() -> assertEquals(
                    List.of(),
                    captured.stream()
                            .filter(l -> !l.contains(" from GET /a/work' "))
                            .collect(Collectors.toList()),
                    "only the application's work was captured"));
            checks.add(() -> assertEquals(List.of(), cycles.notDone, "every piece of work of every cycle finished"));
            checks.add(() -> assertEquals(List.of(), cycles.late, "... before its cycle's contextDestroyed"));
            checks.add(() -> assertEquals(List.of(), cycles.interrupted, "no work was interrupted"));
            checks.add(() -> assertEquals(
                    CYCLES,
                    p.linesContaining("drain of application /a for its stop").size(),
                    "each undeploy drained the application"));
            checks.add(() -> assertEquals(0, p.countLinesContaining("still pending")));
            checks.add(() -> assertEquals(0, p.countLinesContaining("rejected")));
            assertAll(out, checks);
            Figures.print("redeploy with capture: " + CYCLES + " undeploys, each right after " + REQUESTS_PER_CYCLE
                    + " requests handing over " + CaptureTestWar.WORK.size() + " pieces of work each (pool, runAsync, "
                    + "supplyAsync, hand-on): captured " + captured.size() + ", done before their cycle's "
                    + "contextDestroyed " + pieces + ", application drains " + CYCLES
                    + ", class loaders alive after GC 0, threads holding one as context loader 0, Tomcat's warnings of "
                    + "the application's own pool threads still exiting " + threadWarnings.size() + "; undeploys (ms): "
                    + p.linesContaining("UNDEPLOYED ").stream()
                            .map(l -> l.substring(l.lastIndexOf(" IN ") + 4, l.lastIndexOf(" MS")))
                            .collect(Collectors.joining(", ")));
        }
    }

    /** The control of the per-cycle checks: capture off, contextDestroyed meets the work still running. */
    @Test
    void withCaptureOffTheUndeployDoesNotWaitForTheWork() throws Exception {
        Path eventsFile = dir.resolve("events-capture-off.log");
        try (JavaProcess p = loop.loop(
                        "redeploy capture off",
                        "debug=true,capture=none",
                        CONTROL_CYCLES,
                        REQUESTS_PER_CYCLE,
                        REQUEST,
                        false)
                .systemProperty(CaptureTestWar.EVENTS_PROPERTY, eventsFile.toString())
                .start()) {
            int exit = p.waitFor(EXIT_TIMEOUT);
            Events events = Events.read(eventsFile);
            String out = p.describe() + "\n" + events.describe();
            assertEquals(0, exit, out);
            assertTrue(p.firstLineContaining("wait-until: capture: off").isPresent(), "capture is off\n" + out);
            assertEquals(
                    CONTROL_CYCLES * REQUESTS_PER_CYCLE,
                    events.ofKind("REQUEST").size(),
                    out);
            Cycles cycles = Cycles.of(events, CONTROL_CYCLES);
            Figures.print("redeploy with capture off (control): " + CONTROL_CYCLES + " undeploys: pieces of work not "
                    + "done " + cycles.notDone.size() + ", done after their cycle's contextDestroyed "
                    + cycles.late.size() + ", interrupted " + cycles.interrupted.size() + "; Tomcat's warnings of the "
                    + "application's own pool threads still running "
                    + p.countLinesContaining("appears to have started a thread"));
            assertTrue(
                    !cycles.notDone.isEmpty() || !cycles.late.isEmpty(),
                    "without capture, work is interrupted, lost or outlives its application\n" + out);
        }
    }

    /** The control of the leak checks: the same loop with capture on, pinning every loader, counts them all. */
    @Test
    void theMeasurementSeesALeakWithCaptureOn() throws Exception {
        Path eventsFile = dir.resolve("events-pinned.log");
        try (JavaProcess p = loop.loop("redeploy capture pinned", CONTROL_CYCLES, REQUESTS_PER_CYCLE, REQUEST, true)
                .systemProperty(CaptureTestWar.EVENTS_PROPERTY, eventsFile.toString())
                .start()) {
            int exit = p.waitFor(EXIT_TIMEOUT);
            String out = p.describe();
            assertEquals(0, exit, out);
            assertTrue(p.texts().contains("LIVE LOADERS " + CONTROL_CYCLES + " OF " + CONTROL_CYCLES), out);
        }
    }

    /** Each cycle's work, read from the events: cycle k's work belongs before the k-th {@code DESTROYED /a}. */
    private static final class Cycles {
        final List<String> notDone = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        final List<String> interrupted = new ArrayList<>();

        static Cycles of(Events events, int cycles) {
            Cycles c = new Cycles();
            List<Event> destroyed = events.ofKind("DESTROYED");
            for (int cycle = 0; cycle < cycles; cycle++) {
                int destroyedAt =
                        cycle < destroyed.size() ? destroyed.get(cycle).index() : Integer.MAX_VALUE;
                for (int r = 0; r < REQUESTS_PER_CYCLE; r++) {
                    for (String piece : CaptureTestWar.WORK) {
                        String label = "cycle-" + cycle + "-req-" + r + "-" + piece;
                        Optional<Event> done = events.first("DONE", label);
                        if (done.isEmpty()) {
                            c.notDone.add(label);
                        } else if (done.get().index() > destroyedAt) {
                            c.late.add(label);
                        }
                        if (events.first("INTERRUPTED", label).isPresent()) {
                            c.interrupted.add(label);
                        }
                    }
                }
            }
            return c;
        }
    }
}
