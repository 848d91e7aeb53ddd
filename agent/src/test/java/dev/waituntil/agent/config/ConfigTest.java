package dev.waituntil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    private final List<String> problems = new ArrayList<>();

    private Config load(String arguments, Map<String, String> properties, Map<String, String> env) {
        return Config.load(arguments, properties, env, problems::add);
    }

    private Config fromProperty(String key, String value) {
        return load(null, Collections.singletonMap(key, value), Collections.emptyMap());
    }

    @Test
    void defaultsAreThoseOfTheSettingsTable() {
        Config c = Config.defaults();
        assertEquals(Duration.ofSeconds(30), c.duration(Setting.DRAIN_TIMEOUT));
        assertTrue(c.flag(Setting.DRAIN_CANCEL));
        assertEquals(Duration.ZERO, c.duration(Setting.TASK_TIMEOUT));
        assertEquals(Duration.ofMinutes(15), c.duration(Setting.TASK_WARN_AFTER));
        assertEquals(Duration.ofHours(1), c.duration(Setting.TASK_ERROR_AFTER));
        assertEquals(Math.max(2, Runtime.getRuntime().availableProcessors()), c.number(Setting.EXECUTOR_THREADS));
        assertEquals(10_000, c.number(Setting.EXECUTOR_QUEUE));
        assertFalse(c.flag(Setting.DEBUG));
        assertEquals(Config.Source.DEFAULT, c.source(Setting.DRAIN_TIMEOUT));
    }

    @ParameterizedTest
    @CsvSource({
        "executors, executors",
        "' Executors ', executors",
        "'executors,threads', 'executors,threads'",
        "'threads, executors', 'executors,threads'",
        "NONE, none"
    })
    void captureInEveryAcceptedForm(String text, String canonical) {
        Config c = fromProperty("waituntil.capture", text);
        assertEquals(canonical, c.text(Setting.CAPTURE));
        assertEquals(List.of(), problems);
        assertEquals("executors", Config.defaults().text(Setting.CAPTURE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"threads", "executors,none", "executors,,threads", "all", "executors threads"})
    void aCaptureValueOfNoAcceptedFormIsNamedInOneWarningAndTheDefaultKept(String text) {
        Config c = fromProperty("waituntil.capture", text);
        assertEquals("executors", c.text(Setting.CAPTURE));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("waituntil.capture"), problems.get(0));
        assertTrue(problems.get(0).contains("executors, executors,threads or none"), problems.get(0));
    }

    @Test
    void captureExcludeIsAListOfClassNamePrefixes() {
        assertEquals(List.of(), Config.defaults().list(Setting.CAPTURE_EXCLUDE));
        Config c = fromProperty("waituntil.capture.exclude", " com.example.metrics. , org.quartz.Job,");
        assertEquals(List.of("com.example.metrics.", "org.quartz.Job"), c.list(Setting.CAPTURE_EXCLUDE));
        assertEquals(List.of(), problems);

        Config bad = fromProperty("waituntil.capture.exclude", "com.example., not a prefix");
        assertEquals(List.of(), bad.list(Setting.CAPTURE_EXCLUDE));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("class-name prefixes"), problems.get(0));
    }

    @Test
    void inAgentArgumentsAListValueTakesThePartsThatFollowItWithoutAnEqualsSign() {
        Config c = load(
                "capture=executors,threads,capture.exclude=com.a.,org.b.,debug=true",
                Collections.emptyMap(),
                Collections.emptyMap());
        assertEquals("executors,threads", c.text(Setting.CAPTURE));
        assertEquals(List.of("com.a.", "org.b."), c.list(Setting.CAPTURE_EXCLUDE));
        assertTrue(c.flag(Setting.DEBUG));
        assertEquals(List.of(), problems);

        load("debug=true,threads", Collections.emptyMap(), Collections.emptyMap());
        assertEquals(1, problems.size(), "a part without '=' after a setting that is no list: " + problems);
    }

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "5m, PT5M",
        "2h, PT2H",
        "PT30S, PT30S",
        "pt1m30s, PT1M30S",
        "0, PT0S",
        "' 10s ', PT10S",
        "10S, PT10S",
        "0ms, PT0S"
    })
    void durationsInEveryAcceptedForm(String text, String expected) {
        Config c = fromProperty("waituntil.drain.timeout", text);
        assertEquals(Duration.parse(expected), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(Config.Source.SYSTEM_PROPERTY, c.source(Setting.DRAIN_TIMEOUT));
        assertEquals(Collections.emptyList(), problems);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "banana",
                "",
                "30",
                "-5s",
                "PT-1S",
                "1.5s",
                "10 seconds",
                "99999999999999999999s",
                "9223372036854775807h",
                "s",
                "P",
                "1d"
            })
    void aBadDurationIsReportedInOneLineAndTheDefaultUsed(String text) {
        Config c = fromProperty("waituntil.drain.timeout", text);
        assertEquals(Duration.ofSeconds(30), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(Config.Source.DEFAULT, c.source(Setting.DRAIN_TIMEOUT));
        assertEquals(1, problems.size(), problems.toString());
        String line = problems.get(0);
        assertTrue(line.contains("waituntil.drain.timeout='" + text + "'"), line);
        assertTrue(line.contains("system property"), line);
        assertTrue(line.contains("500ms, 30s, 5m, 2h") && line.contains("PT30S"), line);
        assertTrue(line.contains("using the default 30s"), line);
        assertFalse(line.contains("\n"), line);
    }

    @ParameterizedTest
    @CsvSource({
        "executor.threads, 0",
        "executor.threads, -1",
        "executor.threads, many",
        "executor.queue, -1",
        "executor.queue, 1e3",
        "drain.cancel, yes",
        "debug, 1",
        "executor.threads, 99999999999"
    })
    void badNumbersAndFlagsAreReported(String key, String value) {
        Setting setting = Setting.byKey(key);
        Config c = fromProperty("waituntil." + key, value);
        assertEquals(
                setting.defaultValue(),
                setting == Setting.DRAIN_CANCEL || setting == Setting.DEBUG
                        ? (Object) c.flag(setting)
                        : (Object) c.number(setting));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("waituntil." + key + "='" + value + "'"), problems.get(0));
        assertTrue(problems.get(0).contains("expected "), problems.get(0));
    }

    @Test
    void goodNumbersAndFlags() {
        Map<String, String> p = new HashMap<>();
        p.put("waituntil.executor.threads", "3");
        p.put("waituntil.executor.queue", "0");
        p.put("waituntil.drain.cancel", "FALSE");
        p.put("waituntil.debug", "true");
        Config c = load(null, p, Collections.emptyMap());
        assertEquals(3, c.number(Setting.EXECUTOR_THREADS));
        assertEquals(0, c.number(Setting.EXECUTOR_QUEUE));
        assertFalse(c.flag(Setting.DRAIN_CANCEL));
        assertTrue(c.flag(Setting.DEBUG));
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void agentArgumentWinsOverSystemPropertyWhichWinsOverEnvironment() {
        Map<String, String> props = new HashMap<>();
        props.put("waituntil.drain.timeout", "20s");
        props.put("waituntil.task.timeout", "2m");
        Map<String, String> env = new HashMap<>();
        env.put("WAITUNTIL_DRAIN_TIMEOUT", "10s");
        env.put("WAITUNTIL_TASK_TIMEOUT", "1m");
        env.put("WAITUNTIL_TASK_WARN_AFTER", "3m");
        env.put("WAITUNTIL_EXECUTOR_QUEUE", "5");
        Config c = load("drain.timeout=40s,debug=true", props, env);
        assertEquals(Duration.ofSeconds(40), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(Config.Source.AGENT_ARGUMENT, c.source(Setting.DRAIN_TIMEOUT));
        assertEquals(Duration.ofMinutes(2), c.duration(Setting.TASK_TIMEOUT));
        assertEquals(Config.Source.SYSTEM_PROPERTY, c.source(Setting.TASK_TIMEOUT));
        assertEquals(Duration.ofMinutes(3), c.duration(Setting.TASK_WARN_AFTER));
        assertEquals(Config.Source.ENVIRONMENT, c.source(Setting.TASK_WARN_AFTER));
        assertEquals(5, c.number(Setting.EXECUTOR_QUEUE));
        assertTrue(c.flag(Setting.DEBUG));
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void aBadHigherPrecedenceValueFallsBackToTheDefaultNotToALowerSource() {
        Config c = load(
                "drain.timeout=soon",
                Collections.singletonMap("waituntil.drain.timeout", "20s"),
                Collections.emptyMap());
        assertEquals(Duration.ofSeconds(30), c.duration(Setting.DRAIN_TIMEOUT));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("drain.timeout='soon' (agent argument)"), problems.get(0));
    }

    @Test
    void eachInstrumentationGroupIsSwitchedOffInEveryForm() {
        Map<String, String> properties = Map.of("waituntil.instrumentation.jetty.enabled", "false");
        Map<String, String> env = Map.of("WAITUNTIL_INSTRUMENTATION_SPRING_ENABLED", "FALSE");
        Config c = load("instrumentation.tomcat.enabled=false", properties, env);
        assertFalse(c.flag(Setting.INSTRUMENTATION_TOMCAT));
        assertEquals(Config.Source.AGENT_ARGUMENT, c.source(Setting.INSTRUMENTATION_TOMCAT));
        assertFalse(c.flag(Setting.INSTRUMENTATION_JETTY));
        assertEquals(Config.Source.SYSTEM_PROPERTY, c.source(Setting.INSTRUMENTATION_JETTY));
        assertFalse(c.flag(Setting.INSTRUMENTATION_SPRING));
        assertEquals(Config.Source.ENVIRONMENT, c.source(Setting.INSTRUMENTATION_SPRING));
        assertTrue(c.flag(Setting.INSTRUMENTATION_SERVLET), "on by default");
        assertEquals(Collections.emptyList(), problems);
        for (Setting group : new Setting[] {
            Setting.INSTRUMENTATION_SERVLET,
            Setting.INSTRUMENTATION_TOMCAT,
            Setting.INSTRUMENTATION_JETTY,
            Setting.INSTRUMENTATION_SPRING
        }) {
            assertTrue(Config.defaults().flag(group), group.key());
            assertEquals("waituntil." + group.key(), group.property());
        }
    }

    @Test
    void environmentVariableNames() {
        assertEquals("WAITUNTIL_DRAIN_TIMEOUT", Setting.DRAIN_TIMEOUT.environmentVariable());
        assertEquals("WAITUNTIL_TASK_WARN_AFTER", Setting.TASK_WARN_AFTER.environmentVariable());
        assertEquals("WAITUNTIL_TASK_ERROR_AFTER", Setting.TASK_ERROR_AFTER.environmentVariable());
        Config c = load(null, Collections.emptyMap(), Collections.singletonMap("WAITUNTIL_TASK_ERRORAFTER", "2h"));
        assertEquals(Duration.ofHours(2), c.duration(Setting.TASK_ERROR_AFTER));
        assertEquals(Collections.emptyList(), problems);
    }

    @Test
    void agentArgumentsAcceptThePrefixAndReportMalformedAndUnknownEntries() {
        Config c = load(
                "waituntil.drain.timeout=5s,,nonsense,drain.timout=3s, debug = true ",
                Collections.emptyMap(),
                Collections.emptyMap());
        assertEquals(Duration.ofSeconds(5), c.duration(Setting.DRAIN_TIMEOUT));
        assertTrue(c.flag(Setting.DEBUG));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("'nonsense'") && problems.get(0).contains("key=value"), problems.get(0));
        assertTrue(
                problems.get(1).contains("'drain.timout'") && problems.get(1).contains("drain.timeout"),
                problems.get(1));
    }

    @Test
    void misspeltPropertiesAndVariablesAreReported() {
        load(
                null,
                Collections.singletonMap("waituntil.drain.timout", "3s"),
                Collections.singletonMap("WAITUNTIL_DRAIN_TIMOUT", "3s"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("waituntil.drain.timout"));
        assertTrue(problems.get(1).contains("WAITUNTIL_DRAIN_TIMOUT")
                && problems.get(1).contains("WAITUNTIL_DRAIN_TIMEOUT"));
    }

    /** Hostile input: what no setting may accept, by kind. */
    private static List<String> hostileValues(Setting setting) {
        String huge = "9".repeat(100_000);
        List<String> values = new ArrayList<>(List.of("", " ", "\u0000", "banana", "-1", huge, huge + "s", "1,000"));
        switch (setting.type()) {
            case DURATION:
                values.addAll(
                        List.of("-5s", "PT-1S", "99999999999999999999s", "9223372036854775807h", "s", "5 parsecs"));
                break;
            case BOOLEAN:
                values.addAll(List.of("yes", "1", "truee", "on"));
                break;
            default:
                values.addAll(List.of("-2147483648", "2147483648", "1.5", "0x10", "+ 1"));
        }
        return values;
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everySettingWithEveryHostileValue() {
        return java.util.Arrays.stream(Setting.values())
                .flatMap(setting -> hostileValues(setting).stream()
                        .map(value -> org.junit.jupiter.params.provider.Arguments.of(setting, value)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("everySettingWithEveryHostileValue")
    void everySettingRefusesMalformedNegativeHugeAndEmptyValuesInOneShortLineAndKeepsItsDefault(
            Setting setting, String value) {
        for (boolean fromEnvironment : new boolean[] {false, true}) {
            problems.clear();
            Config c = fromEnvironment
                    ? load(null, Collections.emptyMap(), Collections.singletonMap(setting.environmentVariable(), value))
                    : fromProperty(setting.property(), value);
            String where = fromEnvironment ? setting.environmentVariable() : setting.property();
            assertEquals(Config.Source.DEFAULT, c.source(setting), where + "='" + value + "' must not be taken");
            assertEquals(1, problems.size(), where + ": " + problems);
            String line = problems.get(0);
            assertTrue(line.contains(where), line);
            assertTrue(line.contains("using the default"), line);
            assertFalse(
                    line.contains("\n") || line.indexOf('\u0000') >= 0, "one line, no raw control character: " + line);
            assertTrue(line.length() < 600, "a line of " + line.length() + " characters: the value was not cut");
        }
    }

    @Test
    void controlCharactersInABadValueCannotBreakTheLogLine() {
        fromProperty("waituntil.drain.timeout", "10s\nINFO: forged line");
        assertEquals(1, problems.size());
        assertFalse(problems.get(0).contains("\n"), problems.get(0));
        assertTrue(problems.get(0).contains("\\n"), problems.get(0));
    }

    @Test
    void describeListsEverySettingAndWhereNonDefaultsCameFrom() {
        String text = load("drain.timeout=10s", Collections.emptyMap(), Collections.emptyMap())
                .describe();
        for (Setting s : Setting.values()) {
            assertTrue(text.contains(s.key() + "="), text);
        }
        assertTrue(text.contains("drain.timeout=10s (agent argument)"), text);
        assertTrue(text.contains("task.warnAfter=15m"), text);
    }

    @ParameterizedTest
    @CsvSource({"PT0S, 0", "PT0.5S, 500ms", "PT30S, 30s", "PT15M, 15m", "PT2H, 2h", "PT1M30S, 90s"})
    void formatWritesDurationsAsTheTableDoes(String iso, String text) {
        assertEquals(text, Config.format(Duration.parse(iso)));
    }
}
