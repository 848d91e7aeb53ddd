package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Container;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.TestWebApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agent hygiene on redeploy, on embedded Tomcat 10.1 in its own JVM with the agent: an application is
 * deployed and undeployed 20 times (50 under the stress profile), each time with tasks still running
 * when it is undeployed. The undeploy must wait for them (the per-application drain), and afterwards
 * no application class loader may stay reachable, no thread may keep one as its context class loader,
 * and Tomcat must not warn that the application "appears to have started a thread".
 */
class RedeployLeakIT {

    /** 20 in CI; the stress profile of integration-tests makes it 50 ({@code it.redeploys}). */
    private static final int CYCLES = Integer.getInteger("it.redeploys", 20);

    private static final int TASKS_PER_CYCLE = 3;

    /** Each request registers one task of 200 ms. */
    private static final String REQUEST = "/a/run?label=cycle-%d-task-%d&ms=200";

    private static RedeployLoop loop;

    @BeforeAll
    static void build() throws Exception {
        Path dir = ItEnvironment.freshWorkDir("redeploy-leak");
        Path app = TestWebApps.build(Container.TOMCAT_10, dir, "a").resolve("a");
        loop = RedeployLoop.build(dir, app);
    }

    private static JavaProcess.Builder loop(String name, boolean pin) {
        return loop.loop(name, CYCLES, TASKS_PER_CYCLE, REQUEST, pin);
    }

    @Test
    void redeploysWithTasksInFlightLeaveNoClassLoaderAndNoThreadBehind() throws Exception {
        try (JavaProcess p = loop("redeploy loop", false).start()) {
            int exit = p.waitFor(Duration.ofMinutes(3));
            String out = p.describe();
            assertEquals(0, exit, out);
            assertTrue(
                    p.texts().contains("LIVE LOADERS 0 OF " + CYCLES), "no application class loader survives\n" + out);
            assertTrue(
                    p.texts().contains("THREADS HOLDING A LOADER 0"), "no thread keeps one as context loader\n" + out);
            // Not from the agent's threads, nor from Tomcat's utility thread waiting on the context that the
            // agent drains (BackgroundProcessInstrumentation).
            assertEquals(List.of(), p.linesContaining("appears to have started a thread"), out);
            long completed = p.linesContaining("completed").stream()
                    .filter(l -> l.contains("'cycle-"))
                    .count();
            assertEquals(CYCLES * TASKS_PER_CYCLE, completed, "every task of every cycle finished\n" + out);
            assertEquals(
                    CYCLES,
                    p.linesContaining("drain of application /a for its stop").size(),
                    "each undeploy drained the application\n" + out);
            assertEquals(0, p.countLinesContaining("still pending"), out);
            assertEquals(0, p.countLinesContaining("rejected"), out);
            Figures.print("redeploy: " + CYCLES + " undeploys with " + TASKS_PER_CYCLE + " tasks in flight each: "
                    + "tasks completed " + completed + ", application drains " + CYCLES
                    + ", class loaders alive after GC 0, "
                    + "threads holding one as context loader 0, 'appears to have started a thread' warnings 0 (Tomcat's "
                    + "background processor every 1 s)");
        }
    }

    /** The control: the same loop pinning every loader shows that the count above can see a leak. */
    @Test
    void theMeasurementSeesALeakWhenThereIsOne() throws Exception {
        try (JavaProcess p = loop("redeploy pinned", true).start()) {
            int exit = p.waitFor(Duration.ofMinutes(3));
            String out = p.describe();
            assertEquals(0, exit, out);
            assertTrue(p.texts().contains("LIVE LOADERS " + CYCLES + " OF " + CYCLES), out);
        }
    }
}
