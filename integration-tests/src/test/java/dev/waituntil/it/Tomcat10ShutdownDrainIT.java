package dev.waituntil.it;

/** {@link TomcatShutdownDrainTests} on the standalone distribution of Apache Tomcat 10.1 (jakarta.servlet). */
class Tomcat10ShutdownDrainIT extends TomcatShutdownDrainTests {
    Tomcat10ShutdownDrainIT() {
        super("tomcat10");
    }
}
