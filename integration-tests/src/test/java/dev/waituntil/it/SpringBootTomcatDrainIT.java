package dev.waituntil.it;

import dev.waituntil.it.support.SpringBootApp;

/** {@link SpringBootDrainTests} on the Spring Boot executable jar with embedded Tomcat (spring-boot-tomcat-app.jar). */
class SpringBootTomcatDrainIT extends SpringBootDrainTests {
    SpringBootTomcatDrainIT() {
        super(SpringBootApp.Server.TOMCAT);
    }
}
