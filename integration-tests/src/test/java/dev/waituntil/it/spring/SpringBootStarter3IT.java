package dev.waituntil.it.spring;

/** {@link SpringBootStarterTests} on spring-boot-3-starter-app.jar: Spring Boot 3.5, embedded Tomcat. */
class SpringBootStarter3IT extends SpringBootStarterTests {
    SpringBootStarter3IT() {
        super(3);
    }
}
