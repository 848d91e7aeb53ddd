package dev.waituntil.it.spring;

import dev.waituntil.it.support.SpringBootApp.AppJar;
import dev.waituntil.it.support.SpringBootApp.Boot;
import dev.waituntil.it.support.SpringBootApp.Server;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link SpringBootDrainTests} on the Spring Boot 2.7 jar with embedded Tomcat that only the {@code latest} profile
 * builds (from integration-tests-apps/spring-boot-apps with the newest Boot 2.7); skipped without it, so the build
 * without the profile runs what it ran before.
 */
@EnabledIfSystemProperty(
        named = "it.springBoot27.tomcatApp",
        matches = ".+",
        disabledReason = "no Spring Boot 2.7 jar: only the latest profile builds one (-Platest)")
class SpringBoot27TomcatDrainIT extends SpringBootDrainTests {
    SpringBoot27TomcatDrainIT() {
        super(new AppJar(Boot.BOOT_2_7, Server.TOMCAT));
    }
}
