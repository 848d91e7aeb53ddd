package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;

/** {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 12 (jetty-home), ee11 environment (jakarta.servlet, Servlet 6.1), new in Jetty 12.1. */
class Jetty12Ee11DrainIT extends JettyDrainTests {

    Jetty12Ee11DrainIT() {
        super(JettyDistribution.JETTY_12_EE11);
    }
}
