package dev.waituntil.it.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.waituntil.it.support.EmbeddedHost;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddedDrainTests} on embedded Tomcat ({@code tomcat.addWebapp}), plus (b): SIGTERM. Embedded Tomcat
 * registers no shutdown hook of its own (only {@code Catalina} does), so nothing calls {@code stop()} at SIGTERM:
 * the agent's JVM shutdown hook drains, and the JVM exits only after every task, the in-flight request's
 * included, was done; the request in flight is answered.
 */
abstract class EmbeddedTomcatDrainTests extends EmbeddedDrainTests {

    protected EmbeddedTomcatDrainTests(EmbeddedHost host) {
        super(host);
    }

    @Test
    void sigtermIsDrainedByTheAgentsJvmShutdownHookBeforeTheJvmExits() throws Exception {
        Run run = run("sigterm-agent", true, false, Stop.SIGTERM);
        assertDrainedByTheJvmShutdownHook(run);
        assertEquals(
                -1,
                run.record.indexOf("DESTROYED", EmbeddedHost.APP),
                "embedded Tomcat has no shutdown hook: nothing destroyed the application\n" + run.out());
    }
}
