package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;

/** {@link EmbeddedTomcatDrainTests} on Apache Tomcat 9.0 embedded (javax.servlet), tomcat-embed-core 9.0.x. */
class EmbeddedTomcat9DrainIT extends EmbeddedTomcatDrainTests {

    EmbeddedTomcat9DrainIT() {
        super(EmbeddedHost.TOMCAT_9);
    }
}
