package dev.waituntil.it.capture;

import dev.waituntil.it.support.JettyDistribution;

/** {@link CaptureTests} on the standalone distribution of Eclipse Jetty 12, ee10 environment (jakarta.servlet). */
class Jetty12Ee10CaptureIT extends CaptureTests {
    Jetty12Ee10CaptureIT() {
        super(() -> CaptureServers.jetty(JettyDistribution.JETTY_12_EE10));
    }
}
