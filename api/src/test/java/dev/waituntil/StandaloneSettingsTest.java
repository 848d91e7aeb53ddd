package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/** The settings of standalone mode, read from explicit values rather than this JVM's properties. */
class StandaloneSettingsTest {

    private CapturedLog log;

    @BeforeEach
    void captureLog() {
        log = new CapturedLog();
    }

    @AfterEach
    void release() {
        log.close();
    }

    private static StandaloneSettings read(Map<String, String> values) {
        return StandaloneSettings.read(values::get);
    }

    /** The same inputs as the agent's parser: a value means the same with and without the agent. */
    @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
    @CsvFileSource(resources = "/durations.csv")
    void everyDurationReadsAsTheAgentReadsIt(String input, String expected) {
        StandaloneSettings settings = read(Collections.singletonMap("drain.timeout", input));
        if (expected.equals("invalid")) {
            assertEquals(Duration.ofSeconds(30), settings.drainTimeout, "the default is kept");
            List<String> lines = log.messages();
            assertEquals(1, lines.size(), lines.toString());
            String line = lines.get(0);
            assertTrue(line.contains("waituntil.drain.timeout=" + input.trim() + ":"), line);
            assertTrue(line.contains("500ms, 30s, 5m, 2h") && line.contains("PT30S"), line);
            assertTrue(line.contains("using the default 30s"), line);
        } else {
            assertEquals(Duration.ofMillis(Long.parseLong(expected)), settings.drainTimeout);
            assertEquals(Collections.emptyList(), log.messages());
        }
    }

    @Test
    void unsetValuesTakeTheDefaults() {
        StandaloneSettings settings = read(Collections.<String, String>emptyMap());
        assertEquals(Duration.ofSeconds(30), settings.drainTimeout);
        assertEquals(30_000_000_000L, settings.drainTimeoutNanos());
        assertTrue(settings.cancelAtDeadline);
        assertEquals(Math.max(2, Runtime.getRuntime().availableProcessors()), settings.threads);
        assertEquals(10_000, settings.queue);
        assertEquals(Collections.emptyList(), log.messages());
    }

    @Test
    void valuesAreTrimmedAndReadInTheirOwnTypes() {
        Map<String, String> values = new HashMap<>();
        values.put("drain.cancel", " FALSE ");
        values.put("executor.threads", " 3");
        values.put("executor.queue", "0");
        StandaloneSettings settings = read(values);
        assertFalse(settings.cancelAtDeadline);
        assertEquals(3, settings.threads);
        assertEquals(0, settings.queue);
        assertEquals(Collections.emptyList(), log.messages());
    }

    @Test
    void aBadNumberKeepsTheDefaultAndSaysWhatIsExpected() {
        Map<String, String> values = new HashMap<>();
        values.put("executor.threads", "0");
        values.put("executor.queue", "many");
        StandaloneSettings settings = read(values);
        assertEquals(Math.max(2, Runtime.getRuntime().availableProcessors()), settings.threads);
        assertEquals(10_000, settings.queue);
        assertEquals(2, log.messages().size(), log.messages().toString());
        String threads = log.messages().get(0);
        String queue = log.messages().get(1);
        assertTrue(threads.contains("waituntil.executor.threads=0: expected a whole number of at least 1"), threads);
        assertTrue(queue.contains("waituntil.executor.queue=many: expected a whole number of at least 0"), queue);
    }

    @Test
    void aDrainTimeoutTooLongToCountInNanosecondsIsNever() {
        StandaloneSettings settings = read(Collections.singletonMap("drain.timeout", "P106751991167300D"));
        assertEquals(Long.MAX_VALUE, settings.drainTimeoutNanos());
    }

    @Test
    void durationsAreDescribedAsTheSettingsTableWritesThem() {
        assertEquals("30s", StandaloneSettings.describe(Duration.ofSeconds(30)));
        assertEquals("500ms", StandaloneSettings.describe(Duration.ofMillis(500)));
        assertEquals("0s", StandaloneSettings.describe(Duration.ZERO));
    }
}
