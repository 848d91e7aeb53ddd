package dev.waituntil.it.embedded;

import dev.waituntil.it.support.EmbeddedHost;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link EmbeddedJettyDrainTests} on Eclipse Jetty 12.0 embedded, ee10 environment. Only the {@code latest} profile
 * copies Jetty 12.0's jars and sets {@code it.container.jetty120}; without it the class is skipped, so the build
 * without the profile runs what it ran before.
 */
@EnabledIfSystemProperty(
        named = "it.container.jetty120",
        matches = ".+",
        disabledReason = "no embedded Jetty 12.0: only the latest profile copies its jars (-Platest)")
class EmbeddedJetty120DrainIT extends EmbeddedJettyDrainTests {

    EmbeddedJetty120DrainIT() {
        super(EmbeddedHost.JETTY_12_0);
    }
}
