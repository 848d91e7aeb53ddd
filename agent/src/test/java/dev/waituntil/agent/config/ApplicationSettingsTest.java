package dev.waituntil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Settings an application gives once started (the Spring Boot starter) laid over the agent's own. */
class ApplicationSettingsTest {

    private static final Set<Setting> CHANGEABLE =
            EnumSet.of(Setting.DRAIN_TIMEOUT, Setting.DRAIN_CANCEL, Setting.TASK_WARN_AFTER);

    private final List<String> problems = new ArrayList<>();

    private static Map<String, String> given(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void aGivenValueReplacesTheDefaultAndSaysWhereItCameFrom() {
        Config c = Config.defaults()
                .withApplicationSettings(
                        given("waituntil.drain.timeout", "10s", "task.warnAfter", "2m"), CHANGEABLE, problems::add);
        assertEquals(Duration.ofSeconds(10), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(Duration.ofMinutes(2), c.duration(Setting.TASK_WARN_AFTER));
        assertEquals(Config.Source.APPLICATION, c.source(Setting.DRAIN_TIMEOUT));
        assertTrue(c.describe().contains("drain.timeout=10s (application settings)"), c.describe());
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void aSystemPropertyIsReplacedBecauseTheApplicationsValuesHoldTheSystemPropertiesAlready() {
        Config agent = Config.load(
                null, Collections.singletonMap("waituntil.drain.timeout", "5s"), Collections.emptyMap(), p -> {});
        Config c = agent.withApplicationSettings(given("waituntil.drain.timeout", "7s"), CHANGEABLE, problems::add);
        assertEquals(Duration.ofSeconds(7), c.duration(Setting.DRAIN_TIMEOUT));
    }

    @Test
    void theAgentArgumentWins() {
        Config agent = Config.load("drain.timeout=3s", Collections.emptyMap(), Collections.emptyMap(), p -> {});
        Config c = agent.withApplicationSettings(given("waituntil.drain.timeout", "10s"), CHANGEABLE, problems::add);
        assertEquals(Duration.ofSeconds(3), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(Config.Source.AGENT_ARGUMENT, c.source(Setting.DRAIN_TIMEOUT));
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void aBadValueIsReportedAndTheValueInForceKept() {
        Config c = Config.defaults()
                .withApplicationSettings(given("waituntil.drain.timeout", "banana"), CHANGEABLE, problems::add);
        assertEquals(Duration.ofSeconds(30), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("waituntil.drain.timeout='banana'"), problems.get(0));
        assertTrue(problems.get(0).contains("keeping 30s"), problems.get(0));
    }

    @Test
    void anUnknownNameIsReported() {
        Config c = Config.defaults()
                .withApplicationSettings(given("waituntil.drain.timout", "10s"), CHANGEABLE, problems::add);
        assertEquals(Duration.ofSeconds(30), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("unknown setting 'waituntil.drain.timout'"), problems.get(0));
    }

    @Test
    void aSettingUsedOnceAtTheStartIsReportedWithTheWayToGiveIt() {
        Config c = Config.defaults()
                .withApplicationSettings(given("waituntil.capture", "none"), CHANGEABLE, problems::add);
        assertEquals("executors", c.text(Setting.CAPTURE));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("cannot take effect"), problems.get(0));
        assertTrue(problems.get(0).contains("-Dwaituntil.capture=none"), problems.get(0));
    }

    @Test
    void theSameValueForASettingUsedOnceIsNoProblem() {
        Config.defaults()
                .withApplicationSettings(
                        given("waituntil.capture", "executors", "waituntil.debug", "false"), CHANGEABLE, problems::add);
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void aNullValueIsNoValue() {
        Config c = Config.defaults()
                .withApplicationSettings(given("waituntil.drain.cancel", null), CHANGEABLE, problems::add);
        assertTrue(c.flag(Setting.DRAIN_CANCEL));
        assertFalse(c.describe().contains("application settings"));
        assertEquals(Collections.emptyList(), problems);
    }
}
