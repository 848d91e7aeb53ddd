package dev.waituntil.it.spring;

import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Boot;
import dev.waituntil.it.support.SpringBootApp.Server;

/** {@link SpringBootCaptureTests} on spring-boot-4-jetty-app.jar: Spring Boot 4, embedded Jetty. */
class SpringBoot4JettyCaptureIT extends SpringBootCaptureTests {
    SpringBoot4JettyCaptureIT() {
        super(new AppJar(Boot.BOOT_4, Server.JETTY));
    }
}
