package dev.waituntil.it.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.waituntil.it.support.EmbeddedHost;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddedDrainTests} on embedded Jetty (a {@code ServletContextHandler}), plus the two SIGTERM cases:
 * <ul>
 * <li>(b) {@code server.setStopAtShutdown(true)}: Jetty's shutdown thread calls {@code server.stop()}, and the
 *     agent drains at its entry: every task, the in-flight request's included, is done before the servlet is
 *     destroyed and before {@code contextDestroyed}, and the agent logs the drain for "Jetty's server stop".
 * <li>(c) {@code setStopAtShutdown(false)} and nobody calls {@code stop()}: the agent's JVM shutdown hook
 *     drains; every task is done before the JVM exits ("the JVM shutdown hook"), and the application is never
 *     destroyed.
 * </ul>
 */
abstract class EmbeddedJettyDrainTests extends EmbeddedDrainTests {

    protected EmbeddedJettyDrainTests(EmbeddedHost host) {
        super(host);
    }

    @Test
    void sigtermWithStopAtShutdownDrainsAtJettysServerStopBeforeTheApplicationIsDestroyed() throws Exception {
        Run run = run("sigterm-stopAtShutdown-agent", true, true, Stop.SIGTERM);
        assertEquals(143, run.exitCode, "exit code of SIGTERM\n" + run.out());
        assertDrainedByTheServerStop(run);
    }

    @Test
    void sigtermWithoutStopAtShutdownIsDrainedByTheAgentsJvmShutdownHookBeforeTheJvmExits() throws Exception {
        Run run = run("sigterm-noStopAtShutdown-agent", true, false, Stop.SIGTERM);
        assertDrainedByTheJvmShutdownHook(run);
        assertEquals(
                -1,
                run.record.indexOf("DESTROYED", EmbeddedHost.APP),
                "with stopAtShutdown off nothing destroyed the application\n" + run.out());
    }
}
