package dev.waituntil.it.capture;

/** {@link CaptureTests} on the standalone distribution of Apache Tomcat 9.0 (javax.servlet). */
class Tomcat9CaptureIT extends CaptureTests {
    Tomcat9CaptureIT() {
        super(() -> CaptureServers.tomcat("tomcat9"));
    }
}
