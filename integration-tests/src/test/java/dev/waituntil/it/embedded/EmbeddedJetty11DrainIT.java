package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;

/** {@link EmbeddedJettyDrainTests} on Eclipse Jetty 11 embedded (jakarta.servlet, jetty-servlet). */
class EmbeddedJetty11DrainIT extends EmbeddedJettyDrainTests {

    EmbeddedJetty11DrainIT() {
        super(EmbeddedHost.JETTY_11);
    }
}
