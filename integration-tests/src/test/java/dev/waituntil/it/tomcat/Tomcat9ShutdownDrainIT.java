package dev.waituntil.it.tomcat;

/** {@link TomcatShutdownDrainTests} on the standalone distribution of Apache Tomcat 9.0 (javax.servlet). */
class Tomcat9ShutdownDrainIT extends TomcatShutdownDrainTests {
    Tomcat9ShutdownDrainIT() {
        super("tomcat9");
    }
}
