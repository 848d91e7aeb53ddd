package dev.waituntil.it.spring;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link SpringBootStarterTests} on the starter's application built with the newest Spring Boot 4.1 (embedded Tomcat),
 * which only the {@code latest} profile builds (integration-tests-apps/spring-boot-starter-apps,
 * spring-boot-4-starter-app with another {@code spring-boot4.version}); skipped without it, so the build without the
 * profile runs what it ran before.
 */
@EnabledIfSystemProperty(
        named = "it.springBootStarter41.app",
        matches = ".+",
        disabledReason = "no Spring Boot 4.1 starter jar: only the latest profile builds one (-Platest)")
class SpringBootStarter41IT extends SpringBootStarterTests {
    SpringBootStarter41IT() {
        super("41", "4.1");
    }
}
