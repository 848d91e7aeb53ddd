package dev.waituntil.it.spring;

import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Boot;
import dev.waituntil.it.support.SpringBootApp.Server;

/** {@link SpringBootCaptureTests} on spring-boot-4-tomcat-app.jar: Spring Boot 4, embedded Tomcat. */
class SpringBoot4TomcatCaptureIT extends SpringBootCaptureTests {
    SpringBoot4TomcatCaptureIT() {
        super(new AppJar(Boot.BOOT_4, Server.TOMCAT));
    }
}
