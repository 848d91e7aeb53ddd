package dev.waituntil;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings standalone mode honours, each read from the system property {@code waituntil.<key>}, else
 * the environment variable {@code WAITUNTIL_<KEY>}. The agent reads the full table (with agent arguments and
 * error reporting); standalone mode needs only these. A value that cannot be read is reported in one line
 * naming the setting and the accepted form, and the default is used: a typo never stops the application.
 *
 * <p>Durations follow the agent's grammar exactly, so that a value means the same with and without the
 * agent; the two parsers cannot share code (the agent does not depend on the API), and one set of test
 * inputs ({@code durations.csv}) holds both to it.
 */
final class StandaloneSettings {

    private static final Logger LOG = Logger.getLogger("dev.waituntil");

    /** As the agent's: at most 18 digits, so that the number always fits a {@code long}. */
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    /** Where a raw value comes from: the key ({@code drain.timeout}) to its text, or null when unset. */
    interface Source {
        String get(String key);
    }

    /** The JVM's system properties, then its environment. */
    static final Source ENVIRONMENT = new Source() {
        @Override
        public String get(String key) {
            String value = System.getProperty("waituntil." + key);
            if (value == null) {
                value = System.getenv("WAITUNTIL_" + key.replace('.', '_').toUpperCase(Locale.ROOT));
            }
            return value;
        }
    };

    /** Every setting of the table, by key: standalone mode honours four and accepts the others without effect. */
    static final String KNOWN = "drain.timeout, drain.cancel, task.timeout, task.warnAfter, task.errorAfter,"
            + " executor.threads, executor.queue, debug, capture, capture.exclude";

    final Duration drainTimeout;
    final boolean cancelAtDeadline;
    final int threads;
    final int queue;
    /** Where the values were read, so that settings given later can be laid over it. */
    private final Source source;

    private StandaloneSettings(Source source) {
        this.source = source;
        this.drainTimeout = duration(source, "drain.timeout", Duration.ofSeconds(30));
        this.cancelAtDeadline = !"false".equalsIgnoreCase(text(source, "drain.cancel"));
        this.threads = integer(
                source, "executor.threads", Math.max(2, Runtime.getRuntime().availableProcessors()), 1);
        this.queue = integer(source, "executor.queue", 10_000, 0);
    }

    static StandaloneSettings read(Source source) {
        return new StandaloneSettings(source);
    }

    /** The raw value these settings were read from for {@code key}; null when unset. */
    String given(String key) {
        return source.get(key);
    }

    /** The same settings with another queue length. */
    StandaloneSettings withQueue(final int length) {
        return new StandaloneSettings(new Source() {
            @Override
            public String get(String key) {
                return key.equals("executor.queue") ? String.valueOf(length) : source.get(key);
            }
        });
    }

    /**
     * What {@code value} of {@code key} should look like, when it does not: the check of {@link #read} before the
     * value is taken, so that a bad value given later keeps the one in force rather than the default.
     *
     * @return null when the value is good, or for a setting standalone mode does not read
     */
    static String expected(String key, String value) {
        try {
            if (key.equals("drain.timeout")) {
                parseDuration(value);
            } else if (key.equals("executor.threads") && Integer.parseInt(value) < 1) {
                return "a whole number of at least 1";
            } else if (key.equals("executor.queue") && Integer.parseInt(value) < 0) {
                return "a whole number of at least 0";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return key.equals("drain.timeout")
                    ? "a duration such as 500ms, 30s, 5m, 2h, PT30S or 0"
                    : "a whole number of at least " + (key.equals("executor.threads") ? 1 : 0);
        }
    }

    /** Whether {@code name} ({@code waituntil.drain.timeout}) is a setting of the table, in any case. */
    static boolean isKnown(String name) {
        if (!name.regionMatches(true, 0, "waituntil.", 0, 10)) {
            return false;
        }
        String key = name.substring(10);
        for (String known : KNOWN.split(",")) {
            if (known.trim().equalsIgnoreCase(key)) {
                return true;
            }
        }
        return false;
    }

    /** The settings in force, for the line that an application logs at its start. */
    String describe() {
        return "drain.timeout=" + describe(drainTimeout) + ", drain.cancel=" + cancelAtDeadline + ", executor.threads="
                + threads + ", executor.queue=" + queue + " (standalone mode, without the agent: the task.* settings,"
                + " debug and capture need the agent)";
    }

    /** The drain timeout in nanoseconds; {@code Long.MAX_VALUE} for one too long to count them. */
    long drainTimeoutNanos() {
        try {
            return drainTimeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h} (units in any case, spaces allowed before the unit),
     * ISO-8601 ({@code PT30S}) that is not negative, or {@code 0}. The caller trims the value.
     *
     * @throws IllegalArgumentException if the value is of none of these forms, or too long for a {@code Duration}
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

    /** A duration as the settings table writes it, for the log: {@code 30s}, {@code 500ms}. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String text(Source source, String key) {
        String value = source.get(key);
        return value == null ? null : value.trim();
    }

    private static Duration duration(Source source, String key, Duration fallback) {
        String value = text(source, key);
        if (value == null) {
            return fallback;
        }
        try {
            return parseDuration(value);
        } catch (IllegalArgumentException e) {
            LOG.warning("wait-until: ignoring waituntil." + key + "=" + value + ": expected a duration such as "
                    + "500ms, 30s, 5m, 2h, PT30S or 0; using the default " + describe(fallback));
            return fallback;
        }
    }

    private static int integer(Source source, String key, int fallback, int min) {
        String value = text(source, key);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warning("wait-until: ignoring waituntil." + key + "=" + value + ": expected a whole number of at least "
                + min + "; using the default " + fallback);
        return fallback;
    }
}
