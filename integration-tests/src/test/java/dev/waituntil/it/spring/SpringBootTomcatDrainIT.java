package dev.waituntil.it.spring;

import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Boot;
import dev.waituntil.it.support.SpringBootApp.Server;

/** {@link SpringBootDrainTests} on spring-boot-tomcat-app.jar: Spring Boot 3, embedded Tomcat. */
class SpringBootTomcatDrainIT extends SpringBootDrainTests {
    SpringBootTomcatDrainIT() {
        super(new AppJar(Boot.BOOT_3, Server.TOMCAT));
    }
}
