package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;

/** {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 9.4 (jetty-distribution; javax.servlet, Servlet 3.1). */
class Jetty94DrainIT extends JettyDrainTests {

    Jetty94DrainIT() {
        super(JettyDistribution.JETTY_9_4);
    }
}
