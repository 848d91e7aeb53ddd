package dev.waituntil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * The grammar of duration settings, from the inputs the API's standalone parser is held to as well
 * ({@code durations.csv}, kept in the API module's test resources): a value means the same with and
 * without the agent.
 */
class DurationGrammarTest {

    @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
    @CsvFileSource(resources = "/durations.csv")
    void everyDurationReadsAsStandaloneModeReadsIt(String input, String expected) {
        List<String> problems = new ArrayList<>();
        Config config = Config.load(
                null,
                Collections.singletonMap("waituntil.drain.timeout", input),
                Collections.<String, String>emptyMap(),
                problems::add);
        if (expected.equals("invalid")) {
            assertEquals(Duration.ofSeconds(30), config.duration(Setting.DRAIN_TIMEOUT), "the default is kept");
            assertEquals(Config.Source.DEFAULT, config.source(Setting.DRAIN_TIMEOUT));
            assertEquals(1, problems.size(), problems.toString());
            String line = problems.get(0);
            assertTrue(line.contains("waituntil.drain.timeout='" + input + "'"), line);
            assertTrue(line.contains("500ms, 30s, 5m, 2h") && line.contains("PT30S"), line);
            assertTrue(line.contains("using the default 30s"), line);
        } else {
            assertEquals(Duration.ofMillis(Long.parseLong(expected)), config.duration(Setting.DRAIN_TIMEOUT));
            assertEquals(Collections.emptyList(), problems);
        }
    }
}
