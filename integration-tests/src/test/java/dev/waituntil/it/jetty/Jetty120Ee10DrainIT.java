package dev.waituntil.it.jetty;

import dev.waituntil.it.support.JettyDistribution;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link JettyDrainTests} on the standalone distribution of Eclipse Jetty 12.0 (jetty-home), ee10 environment. Only
 * the {@code latest} profile unpacks a 12.0 distribution and sets {@code it.jetty120.home}; without it the class is
 * skipped, so the build without the profile runs what it ran before.
 */
@EnabledIfSystemProperty(
        named = "it.jetty120.home",
        matches = ".+",
        disabledReason = "no Jetty 12.0 distribution: only the latest profile unpacks one (-Platest)")
class Jetty120Ee10DrainIT extends JettyDrainTests {

    Jetty120Ee10DrainIT() {
        super(JettyDistribution.JETTY_12_0_EE10);
    }
}
