package dev.waituntil.it.spring;

/**
 * {@link SpringBootStarterTests} on spring-boot-3-starter-app.jar: Spring Boot 3.5 (3.5.16, or the newest 3.5 under
 * the {@code latest} profile), embedded Tomcat.
 */
class SpringBootStarter3IT extends SpringBootStarterTests {
    SpringBootStarter3IT() {
        super("3", "3.5");
    }
}
