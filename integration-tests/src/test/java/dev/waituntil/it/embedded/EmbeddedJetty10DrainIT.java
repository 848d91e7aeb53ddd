package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;

/** {@link EmbeddedJettyDrainTests} on Eclipse Jetty 10 embedded (javax.servlet, jetty-servlet). */
class EmbeddedJetty10DrainIT extends EmbeddedJettyDrainTests {

    EmbeddedJetty10DrainIT() {
        super(EmbeddedHost.JETTY_10);
    }
}
