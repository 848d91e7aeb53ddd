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

    final Duration drainTimeout;
    final boolean cancelAtDeadline;
    final int threads;
    final int queue;

    private StandaloneSettings(Source source) {
        this.drainTimeout = duration(source, "drain.timeout", Duration.ofSeconds(30));
        this.cancelAtDeadline = !"false".equalsIgnoreCase(text(source, "drain.cancel"));
        this.threads = integer(
                source, "executor.threads", Math.max(2, Runtime.getRuntime().availableProcessors()), 1);
        this.queue = integer(source, "executor.queue", 10_000, 0);
    }

    static StandaloneSettings read(Source source) {
        return new StandaloneSettings(source);
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
