package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;

/** {@link EmbeddedTomcatDrainTests} on Apache Tomcat 10.1 embedded (jakarta.servlet), tomcat-embed-core 10.1.x. */
class EmbeddedTomcat10DrainIT extends EmbeddedTomcatDrainTests {

    EmbeddedTomcat10DrainIT() {
        super(EmbeddedHost.TOMCAT_10);
    }
}
