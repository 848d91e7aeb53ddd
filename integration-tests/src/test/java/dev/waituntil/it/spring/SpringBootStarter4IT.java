package dev.waituntil.it.spring;

/**
 * {@link SpringBootStarterTests} on spring-boot-4-starter-app.jar: Spring Boot 4.0 (4.0.9, or the newest 4.0 under
 * the {@code latest} profile), embedded Tomcat.
 */
class SpringBootStarter4IT extends SpringBootStarterTests {
    SpringBootStarter4IT() {
        super("4", "4.0");
    }
}
