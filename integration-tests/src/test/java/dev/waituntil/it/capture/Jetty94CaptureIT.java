package dev.waituntil.it.capture;

import dev.waituntil.it.support.JettyDistribution;

/** {@link CaptureTests} on the standalone distribution of Eclipse Jetty 9.4 (javax.servlet). */
class Jetty94CaptureIT extends CaptureTests {
    Jetty94CaptureIT() {
        super(() -> CaptureServers.jetty(JettyDistribution.JETTY_9_4));
    }
}
