package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;

/** {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 10 (jetty-home; javax.servlet, Servlet 4.0). */
class Jetty10DrainIT extends JettyDrainTests {

    Jetty10DrainIT() {
        super(JettyDistribution.JETTY_10);
    }
}
