package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;

/** {@link EmbeddedJettyDrainTests} on Eclipse Jetty 12 embedded, ee10 environment (jakarta.servlet, jetty-ee10-servlet). */
class EmbeddedJetty12DrainIT extends EmbeddedJettyDrainTests {

    EmbeddedJetty12DrainIT() {
        super(EmbeddedHost.JETTY_12);
    }
}
