package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;

/** {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 12 (jetty-home), ee8 environment (javax.servlet, Servlet 4.0). */
class Jetty12Ee8DrainIT extends JettyDrainTests {

    Jetty12Ee8DrainIT() {
        super(JettyDistribution.JETTY_12_EE8);
    }
}
