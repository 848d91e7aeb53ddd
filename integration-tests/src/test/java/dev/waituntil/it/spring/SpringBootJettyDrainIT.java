package dev.waituntil.it.spring;

import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Boot;
import dev.waituntil.it.support.SpringBootApp.Server;

/** {@link SpringBootDrainTests} on spring-boot-jetty-app.jar: Spring Boot 3, embedded Jetty. */
class SpringBootJettyDrainIT extends SpringBootDrainTests {
    SpringBootJettyDrainIT() {
        super(new AppJar(Boot.BOOT_3, Server.JETTY));
    }
}
