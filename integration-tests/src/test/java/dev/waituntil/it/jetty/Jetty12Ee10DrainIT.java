package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;
import org.junit.jupiter.api.Test;

/**
 * {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 12 (jetty-home), ee10 environment
 * (jakarta.servlet, Servlet 6.0), plus the keep-alive load across SIGTERM: one Jetty in CI is enough to keep the
 * connectors' behaviour at a stop checked, and each run takes a server start and a stop under load.
 */
class Jetty12Ee10DrainIT extends JettyDrainTests {

    Jetty12Ee10DrainIT() {
        super(JettyDistribution.JETTY_12_EE10);
    }

    @Test
    void keepAliveLoadAcrossSigtermEndsWithinTheDrainTimeoutWithEveryTaskDoneAndNoRequestFailed() throws Exception {
        keepAliveLoadAcrossSigterm();
    }
}
