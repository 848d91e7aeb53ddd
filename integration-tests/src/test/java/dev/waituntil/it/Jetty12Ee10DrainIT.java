package dev.waituntil.it;

import dev.waituntil.it.support.JettyDistribution;

/** {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 12 (jetty-home), ee10 environment (jakarta.servlet, Servlet 6.0). */
class Jetty12Ee10DrainIT extends JettyDrainTests {

    Jetty12Ee10DrainIT() {
        super(JettyDistribution.JETTY_12_EE10);
    }
}
