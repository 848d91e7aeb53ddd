package dev.waituntil.agent.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings users can give, as the README's settings table lists them. Each has a key
 * ({@code drain.timeout}), which is the agent-argument name; the system property adds the prefix
 * {@code waituntil.} and the environment variable is {@code WAITUNTIL_} plus the key in upper case with dots and word
 * boundaries as underscores ({@code WAITUNTIL_TASK_WARN_AFTER}).
 */
public enum Setting {
    DRAIN_TIMEOUT(
            "drain.timeout",
            Type.DURATION,
            "30s",
            "how long a shutdown or an undeploy waits for pending tasks, in all"),
    DRAIN_CANCEL("drain.cancel", Type.BOOLEAN, "true", "cancel the tasks still pending when the drain times out"),
    TASK_TIMEOUT("task.timeout", Type.DURATION, "0", "cancel any single task that runs longer than this (0: never)"),
    TASK_WARN_AFTER("task.warnAfter", Type.DURATION, "15m", "log a warning naming a task that has run this long"),
    TASK_ERROR_AFTER(
            "task.errorAfter", Type.DURATION, "1h", "log an error naming it, and again every 10 minutes after"),
    EXECUTOR_THREADS(
            "executor.threads",
            Type.POSITIVE_INT,
            null,
            "threads that run run/supply work (default: number of processors, at least 2)"),
    EXECUTOR_QUEUE(
            "executor.queue",
            Type.NON_NEGATIVE_INT,
            "10000",
            "tasks that may wait for a thread before RejectedTaskException"),
    DEBUG("debug", Type.BOOLEAN, "false", "log every registration, completion and drain step"),
    CAPTURE(
            "capture",
            Type.CAPTURE,
            "executors",
            "what is tracked without an API call: executors, executors,threads, or none"),
    CAPTURE_EXCLUDE(
            "capture.exclude",
            Type.PREFIXES,
            "",
            "comma-separated class-name prefixes of tasks, executors, threads or thread starters never to capture"),
    INSTRUMENTATION_SERVLET(
            "instrumentation.servlet.enabled",
            Type.BOOLEAN,
            "true",
            "the servlet API's hook points: the request scope, and the drain at an application's teardown"),
    INSTRUMENTATION_TOMCAT(
            "instrumentation.tomcat.enabled",
            Type.BOOLEAN,
            "true",
            "Tomcat's hook points: the drains at a server's and an application's stop"),
    INSTRUMENTATION_JETTY(
            "instrumentation.jetty.enabled",
            Type.BOOLEAN,
            "true",
            "Jetty's hook points: the drains at a server's and an application's stop"),
    INSTRUMENTATION_SPRING(
            "instrumentation.spring.enabled",
            Type.BOOLEAN,
            "true",
            "Spring's hook point: the drain when an application context closes"),
    INSTRUMENTATION_CAPTURE(
            "instrumentation.capture.enabled",
            Type.BOOLEAN,
            "true",
            "the JDK executors' hook points: work handed to another thread in a request or task is tracked");

    public static final String PROPERTY_PREFIX = "waituntil.";
    public static final String ENV_PREFIX = "WAITUNTIL_";

    private final String key;
    private final Type type;
    private final String defaultText;
    private final String meaning;

    Setting(String key, Type type, String defaultText, String meaning) {
        this.key = key;
        this.type = type;
        this.defaultText = defaultText;
        this.meaning = meaning;
    }

    /** The agent-argument name, e.g. {@code drain.timeout}. */
    public String key() {
        return key;
    }

    /** The system property, e.g. {@code waituntil.drain.timeout}. */
    public String property() {
        return PROPERTY_PREFIX + key;
    }

    /** The environment variable, e.g. {@code WAITUNTIL_TASK_WARN_AFTER}. */
    public String environmentVariable() {
        return ENV_PREFIX
                + key.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The same without the word-boundary underscores ({@code WAITUNTIL_TASK_WARNAFTER}), also accepted. */
    String compactEnvironmentVariable() {
        return ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    public String meaning() {
        return meaning;
    }

    /** The kind of value it takes. */
    Type type() {
        return type;
    }

    /** The default as text, as the settings table and the logs show it. */
    public String defaultText() {
        return defaultText != null ? defaultText : String.valueOf(defaultThreads());
    }

    Object defaultValue() {
        String text = defaultText();
        return text.isEmpty() ? text : parse(text); // an empty list: set, it must name something
    }

    /** What the bad-value message says the setting accepts. */
    String accepted() {
        return type.accepted;
    }

    /**
     * Parses a value of this setting.
     *
     * @throws IllegalArgumentException if the value is not of the accepted forms
     */
    Object parse(String text) {
        String value = text.trim();
        switch (type) {
            case DURATION:
                return parseDuration(value);
            case BOOLEAN:
                if (value.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                if (value.equalsIgnoreCase("false")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException(value);
            case POSITIVE_INT:
                return parseInt(value, 1);
            case CAPTURE:
                return parseCapture(value);
            case PREFIXES:
                return parsePrefixes(value);
            default:
                return parseInt(value, 0);
        }
    }

    static int defaultThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    /**
     * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h} (units in any case, spaces allowed before the unit),
     * ISO-8601 ({@code PT30S}) that is not negative, or {@code 0}. The API's standalone mode reads the same
     * grammar with a parser of its own (the agent does not depend on the API); one set of test inputs,
     * {@code durations.csv}, holds both to it.
     */
    static Duration parseDuration(String value) {
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            try {
                switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "s":
                        return Duration.ofSeconds(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    default:
                        return Duration.ofHours(amount);
                }
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(value, e);
            }
        }
        if (value.regionMatches(true, 0, "P", 0, 1)) {
            try {
                Duration d = Duration.parse(value);
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(value, e);
            }
        }
        throw new IllegalArgumentException(value);
    }

    /** {@code executors}, {@code executors,threads} (in any order and case) or {@code none}: the canonical form. */
    static String parseCapture(String value) {
        Set<String> kinds = new TreeSet<String>();
        for (String part : value.split(",", -1)) {
            kinds.add(part.trim().toLowerCase(Locale.ROOT));
        }
        if (kinds.equals(Collections.singleton("executors")) || kinds.equals(Collections.singleton("none"))) {
            return kinds.iterator().next();
        }
        if (kinds.equals(new TreeSet<String>(Arrays.asList("executors", "threads")))) {
            return "executors,threads";
        }
        throw new IllegalArgumentException(value);
    }

    /** The start of a qualified class name: a letter, '_' or '$' first, and a package at least ({@code com.}). */
    private static final Pattern PREFIX = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*\\.[\\p{L}\\p{N}_$.]*");

    /** Class-name prefixes separated by commas, spaces around them ignored; at least one. */
    static String parsePrefixes(String value) {
        List<String> prefixes = new ArrayList<String>();
        for (String part : value.split(",")) {
            String prefix = part.trim();
            if (prefix.isEmpty()) {
                continue;
            }
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException(value);
            }
            prefixes.add(prefix);
        }
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException(value);
        }
        return String.join(",", prefixes);
    }

    private static int parseInt(String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(value, e);
        }
        if (n < min) {
            throw new IllegalArgumentException(value);
        }
        return n;
    }

    /** Finds a setting by agent-argument key, with or without the {@code waituntil.} prefix; case-insensitive. */
    static Setting byKey(String key) {
        String k = key.trim();
        if (k.regionMatches(true, 0, PROPERTY_PREFIX, 0, PROPERTY_PREFIX.length())) {
            k = k.substring(PROPERTY_PREFIX.length());
        }
        for (Setting s : values()) {
            if (s.key.equalsIgnoreCase(k)) {
                return s;
            }
        }
        return null;
    }

    enum Type {
        DURATION("a duration such as 500ms, 30s, 5m, 2h, or ISO-8601 PT30S, or 0"),
        BOOLEAN("true or false"),
        POSITIVE_INT("a whole number of at least 1"),
        NON_NEGATIVE_INT("a whole number of at least 0"),
        CAPTURE("executors, executors,threads or none"),
        PREFIXES("comma-separated class-name prefixes of a package at least, such as com.example.batch.,org.quartz.");

        final String accepted;

        Type(String accepted) {
            this.accepted = accepted;
        }

        /** Whether a value is a comma-separated list: in agent arguments, the parts after the first follow it. */
        boolean isList() {
            return this == CAPTURE || this == PREFIXES;
        }
    }
}
