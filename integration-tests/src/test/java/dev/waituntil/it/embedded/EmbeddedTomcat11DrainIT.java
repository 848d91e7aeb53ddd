package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;

/** {@link EmbeddedTomcatDrainTests} on Apache Tomcat 11.0 embedded (jakarta.servlet), tomcat-embed-core 11.0.x. */
class EmbeddedTomcat11DrainIT extends EmbeddedTomcatDrainTests {

    EmbeddedTomcat11DrainIT() {
        super(EmbeddedHost.TOMCAT_11);
    }
}
