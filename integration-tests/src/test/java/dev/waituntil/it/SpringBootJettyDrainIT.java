package dev.waituntil.it;

import dev.waituntil.it.support.SpringBootApp;

/** {@link SpringBootDrainTests} on the Spring Boot executable jar with embedded Jetty (spring-boot-jetty-app.jar). */
class SpringBootJettyDrainIT extends SpringBootDrainTests {
    SpringBootJettyDrainIT() {
        super(SpringBootApp.Server.JETTY);
    }
}
