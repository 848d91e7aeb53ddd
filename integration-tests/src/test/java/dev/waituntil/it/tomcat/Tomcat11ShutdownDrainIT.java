package dev.waituntil.it.tomcat;

/** {@link TomcatShutdownDrainTests} on the standalone distribution of Apache Tomcat 11.0 (jakarta.servlet). */
class Tomcat11ShutdownDrainIT extends TomcatShutdownDrainTests {
    Tomcat11ShutdownDrainIT() {
        super("tomcat11");
    }
}
