package dev.waituntil.it.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.capture.CaptureServers.Kind;
import dev.waituntil.it.capture.CaptureServers.Server;
import dev.waituntil.it.support.CaptureTestWar;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.OtherAgent;
import dev.waituntil.it.support.ProgramAssertions;
import dev.waituntil.it.support.TomcatTestWar.Events;
import dev.waituntil.it.support.TomcatTestWar.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Zero-code capture beside another vendor's Java agent, which follows work across threads itself (the OpenTelemetry
 * agent wraps or tags the same tasks at the same executors): the legacy WAR of {@link CaptureTests} on the
 * standalone Tomcat 10.1, each agent listed first in turn, SIGTERM with its work pending. Every piece of work is
 * captured once and done before {@code contextDestroyed}; ours logs no warning; theirs starts and logs no error.
 * The control that shows the work lost without ours is {@link CaptureTests}' (same WAR, same load).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaptureBesideOtherAgentsIT {

    private Kind kind;
    private Path dir;
    private Path war;

    @BeforeAll
    void buildTheWar() throws Exception {
        kind = CaptureServers.tomcat("tomcat10");
        dir = ItEnvironment.freshWorkDir("capture-beside-other-agents");
        war = CaptureTestWar.build(kind.servletApiJar(), kind.servletPackage(), dir.resolve("war"));
    }

    static Stream<Arguments> runs() {
        return Stream.of(OtherAgent.values())
                .flatMap(agent -> Stream.of(Arguments.of(agent, true), Arguments.of(agent, false)));
    }

    @ParameterizedTest(name = "{0}, theirs first: {1}")
    @MethodSource("runs")
    void sigtermRunsEveryCapturedPieceOfWorkBeforeContextDestroyed(OtherAgent other, boolean theirsFirst)
            throws Exception {
        long started = System.nanoTime();
        String order = theirsFirst ? "theirs first" : "ours first";
        try (OtherAgent.Beside beside = other.prepare()) {
            String ours = "-javaagent:" + ItEnvironment.agentJar() + "=debug=true";
            List<String> options = new ArrayList<>();
            options.add(theirsFirst ? beside.javaagent() : ours);
            options.add(theirsFirst ? ours : beside.javaagent());
            options.addAll(beside.options());
            String test = other.id() + (theirsFirst ? "-theirs-first" : "-ours-first");
            try (Server server = kind.start(dir, test, war, null, options, "app")) {
                List<String> owed = CaptureTests.handOver(server, "app", "beside", CaptureTests.SIGTERM_WORK_MILLIS);
                server.sigterm();
                server.awaitExit(CaptureTests.EXIT_TIMEOUT);

                Events events = server.events();
                Outcome o = Outcome.beforeContextDestroyed(events, owed, "/app");
                String why = CaptureTests.why(o, events, server);
                List<String> output = server.lines().stream().map(l -> l.text()).collect(Collectors.toList());
                List<String> oursWarned = output.stream()
                        .filter(ProgramAssertions::isOursAtWarningOrWorse)
                        .collect(Collectors.toList());
                List<String> theirErrors = other.linesAtLevel(output, "ERROR");
                Figures.record(
                        dir,
                        String.format(
                                "[%s] beside %s %s, %s: %s; captured %d; stop -> exit %d ms; warnings of ours %d; "
                                        + "errors of theirs %d; test %,d ms",
                                kind.id(),
                                other,
                                other.version(),
                                order,
                                o.summary(),
                                server.linesContaining("wait-until: captured ").size(),
                                server.stopToExitMillis(),
                                oursWarned.size(),
                                theirErrors.size(),
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));

                CaptureTests.assertNothingDoneBefore(server.stopWallMillis(), events, owed, why);
                assertEquals(List.of(), o.lost, "every piece of work was done beside " + other + "\n" + why);
                assertEquals(List.of(), o.late, "... before the application's contextDestroyed\n" + why);
                CaptureTests.assertCapturedOnlyTheApplicationsWork(server, owed, why);
                assertEquals(List.of(), oursWarned, "wait-until logs no warning beside " + other + "\n" + why);
                assertTrue(other.startedLine(output).isPresent(), other + " started (its start-up line)\n" + why);
                assertEquals(List.of(), theirErrors, other + " logged no error\n" + why);
            }
        }
    }
}
