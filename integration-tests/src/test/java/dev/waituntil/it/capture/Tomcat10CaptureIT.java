package dev.waituntil.it.capture;

/** {@link CaptureTests} on the standalone distribution of Apache Tomcat 10.1 (jakarta.servlet). */
class Tomcat10CaptureIT extends CaptureTests {
    Tomcat10CaptureIT() {
        super(() -> CaptureServers.tomcat("tomcat10"));
    }
}
