package dev.waituntil.it.spring;

/** {@link SpringBootStarterTests} on spring-boot-4-starter-app.jar: Spring Boot 4.0, embedded Tomcat. */
class SpringBootStarter4IT extends SpringBootStarterTests {
    SpringBootStarter4IT() {
        super(4);
    }
}
