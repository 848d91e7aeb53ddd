package dev.waituntil.it.spring;

import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Boot;
import dev.waituntil.it.support.SpringBootApp.Server;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link SpringBootDrainTests} on the Spring Boot 4.1 jar with embedded Jetty that only the {@code latest} profile
 * builds (from integration-tests-apps/spring-boot-4-apps with the newest Boot 4.1); skipped without it, so the
 * build without the profile runs what it ran before.
 */
@EnabledIfSystemProperty(
        named = "it.springBoot41.jettyApp",
        matches = ".+",
        disabledReason = "no Spring Boot 4.1 jar: only the latest profile builds one (-Platest)")
class SpringBoot41JettyDrainIT extends SpringBootDrainTests {
    SpringBoot41JettyDrainIT() {
        super(new AppJar(Boot.BOOT_4_1, Server.JETTY));
    }
}
