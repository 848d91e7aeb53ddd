package dev.waituntil.agent.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Configurations for tests, written the way users write system properties, minus the prefix. */
public final class TestConfigs {

    private TestConfigs() {}

    /**
     * The configuration of {@code settings}, each {@code key=value} ({@code task.timeout=2s}), given as
     * system properties; later ones win.
     *
     * @throws AssertionError if any setting is refused: a test must not run on a default it did not ask for
     */
    public static Config of(String... settings) {
        Map<String, String> properties = new HashMap<>();
        for (String s : settings) {
            int eq = s.indexOf('=');
            properties.put(Setting.PROPERTY_PREFIX + s.substring(0, eq), s.substring(eq + 1));
        }
        List<String> problems = new ArrayList<>();
        Config config = Config.load(null, properties, Collections.<String, String>emptyMap(), problems::add);
        if (!problems.isEmpty()) {
            throw new AssertionError("refused settings " + problems);
        }
        return config;
    }
}
