package dev.waituntil.it.tomcat;

import org.junit.jupiter.api.Test;

/**
 * {@link TomcatShutdownDrainTests} on the standalone distribution of Apache Tomcat 10.1 (jakarta.servlet), plus the
 * keep-alive load across SIGTERM: one Tomcat in CI is enough to keep the connector's behaviour at a stop checked, and
 * each run takes a server start and a stop under load.
 */
class Tomcat10ShutdownDrainIT extends TomcatShutdownDrainTests {
    Tomcat10ShutdownDrainIT() {
        super("tomcat10");
    }

    @Test
    void keepAliveLoadAcrossSigtermEndsWithinTheDrainTimeoutWithEveryTaskDoneAndNoRequestFailed() throws Exception {
        keepAliveLoadAcrossSigterm();
    }
}
