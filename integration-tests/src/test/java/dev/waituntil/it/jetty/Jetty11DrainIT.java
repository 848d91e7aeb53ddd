package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;

/** {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 11 (jetty-home; jakarta.servlet, Servlet 5.0). */
class Jetty11DrainIT extends JettyDrainTests {

    Jetty11DrainIT() {
        super(JettyDistribution.JETTY_11);
    }
}
