package dev.waituntil.agent.config;

import static dev.waituntil.agent.log.LogText.quote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The settings in force: from agent arguments, which win over system properties, which win over
 * the environment. A value that cannot be read is reported (one line naming the setting, the
 * value, where it came from and the accepted forms) and the default is used: a typo never stops
 * the application from starting.
 */
public final class Config {

    /** Where a value came from, for the start-up line and for error messages. */
    public enum Source {
        AGENT_ARGUMENT("agent argument"),
        SYSTEM_PROPERTY("system property"),
        ENVIRONMENT("environment variable"),
        /** Given by the application once started: the Spring Boot starter, from the Spring environment. */
        APPLICATION("application settings"),
        DEFAULT("default");

        private final String description;

        Source(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private final Map<Setting, Object> values;
    private final Map<Setting, Source> sources;

    private Config(Map<Setting, Object> values, Map<Setting, Source> sources) {
        this.values = values;
        this.sources = sources;
    }

    /** Every setting at its default. */
    public static Config defaults() {
        return load(null, Collections.<String, String>emptyMap(), Collections.<String, String>emptyMap(), p -> {});
    }

    /** Reads this JVM's settings; problems are handed to {@code problems}, one line each. */
    public static Config fromEnvironment(String agentArguments, Consumer<String> problems) {
        return load(agentArguments, systemProperties(), System.getenv(), problems);
    }

    /**
     * Reads the settings from explicit sources.
     *
     * @param agentArguments the text after {@code =} in {@code -javaagent:...jar=...}, e.g.
     *        {@code drain.timeout=10s,debug=true}; may be null
     * @param properties system properties
     * @param environment environment variables
     * @param problems receives one line per bad value, unknown key or malformed argument
     */
    public static Config load(
            String agentArguments,
            Map<String, String> properties,
            Map<String, String> environment,
            Consumer<String> problems) {
        Map<Setting, String> fromArguments = parseArguments(agentArguments, problems);
        warnAboutUnknownKeys(properties, environment, problems);

        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        Map<Setting, Source> sources = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            Source source = Source.DEFAULT;
            String text = fromArguments.get(setting);
            if (text != null) {
                source = Source.AGENT_ARGUMENT;
            } else if ((text = properties.get(setting.property())) != null) {
                source = Source.SYSTEM_PROPERTY;
            } else if ((text = environment.get(setting.environmentVariable())) != null
                    || (text = environment.get(setting.compactEnvironmentVariable())) != null) {
                source = Source.ENVIRONMENT;
            }
            Object value = setting.defaultValue();
            if (source != Source.DEFAULT) {
                try {
                    value = setting.parse(text);
                } catch (IllegalArgumentException e) {
                    problems.accept("wait-until: ignoring " + origin(setting, source) + "=" + quote(text) + " ("
                            + source + "): expected " + setting.accepted() + "; using the default "
                            + setting.defaultText());
                    source = Source.DEFAULT;
                }
            }
            values.put(setting, value);
            sources.put(setting, source);
        }
        return new Config(values, sources);
    }

    /**
     * These settings with the values an application gave at its start laid over them (the Spring Boot starter, from
     * the Spring environment, which holds the JVM's system properties and environment too). An agent argument still
     * wins. A setting outside {@code changeable} was used once at the agent's start (the instrumentation, the queue):
     * a different value for it is reported and not taken.
     *
     * @param given values by property name ({@code waituntil.drain.timeout}) or key ({@code drain.timeout}); a null
     *     value is no value
     * @param problems receives one line per unknown name, bad value or value that cannot take effect any more
     */
    public Config withApplicationSettings(
            Map<String, String> given, Set<Setting> changeable, Consumer<String> problems) {
        Map<Setting, Object> newValues = new EnumMap<>(values);
        Map<Setting, Source> newSources = new EnumMap<>(sources);
        for (Map.Entry<String, String> entry : given.entrySet()) {
            String name = String.valueOf(entry.getKey()).trim();
            String text = entry.getValue();
            if (text == null) {
                continue;
            }
            Setting setting = Setting.byKey(name);
            if (setting == null) {
                problems.accept("wait-until: ignoring unknown setting " + quote(name) + " of the application; known"
                        + " settings: " + knownKeys() + " (each with the prefix " + Setting.PROPERTY_PREFIX + ")");
                continue;
            }
            if (sources.get(setting) == Source.AGENT_ARGUMENT) {
                continue; // the agent argument wins, as documented; the start-up line says where the value came from
            }
            Object value;
            try {
                value = setting.parse(text);
            } catch (IllegalArgumentException e) {
                problems.accept("wait-until: ignoring " + setting.property() + "=" + quote(text)
                        + " (application settings): expected " + setting.accepted() + "; keeping "
                        + text(setting, values.get(setting)));
                continue;
            }
            if (value.equals(values.get(setting))) {
                continue;
            }
            if (!changeable.contains(setting)) {
                problems.accept("wait-until: " + setting.property() + "=" + quote(text) + " (application settings)"
                        + " cannot take effect: the agent used it once at the JVM's start and keeps "
                        + text(setting, values.get(setting)) + "; give it as -D" + setting.property() + "=" + text
                        + " or as the agent argument " + setting.key() + "=" + text);
                continue;
            }
            newValues.put(setting, value);
            newSources.put(setting, Source.APPLICATION);
        }
        return new Config(newValues, newSources);
    }

    private static String text(Setting setting, Object value) {
        return value instanceof Duration ? format((Duration) value) : String.valueOf(value);
    }

    public Duration duration(Setting setting) {
        return (Duration) values.get(setting);
    }

    public boolean flag(Setting setting) {
        return (Boolean) values.get(setting);
    }

    public int number(Setting setting) {
        return (Integer) values.get(setting);
    }

    /** A setting whose value is text ({@code capture}, {@code capture.exclude}), in its canonical form. */
    public String text(Setting setting) {
        return (String) values.get(setting);
    }

    /** A setting whose value is a comma-separated list, as its parts; none for an empty value. */
    public List<String> list(Setting setting) {
        String text = text(setting);
        return text.isEmpty() ? Collections.<String>emptyList() : Arrays.asList(text.split(","));
    }

    public Source source(Setting setting) {
        return sources.get(setting);
    }

    /** The settings in force, for the start-up line: {@code drain.timeout=30s, ...}; non-defaults say where from. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            String text = text(setting, values.get(setting));
            Source source = sources.get(setting);
            parts.add(setting.key() + "=" + text + (source == Source.DEFAULT ? "" : " (" + source + ")"));
        }
        return String.join(", ", parts);
    }

    /** A duration the way the settings table writes it: {@code 30s}, {@code 15m}, {@code 500ms}, {@code 0}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static Map<Setting, String> parseArguments(String arguments, Consumer<String> problems) {
        Map<Setting, String> parsed = new EnumMap<>(Setting.class);
        if (arguments == null || arguments.trim().isEmpty()) {
            return parsed;
        }
        Setting list = null; // the last setting read, if its value is a list: it takes the parts without '='
        for (String entry : arguments.split(",")) {
            if (entry.trim().isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0 && list != null) {
                parsed.put(list, parsed.get(list) + "," + entry); // capture=executors,threads
                continue;
            }
            list = null;
            if (eq < 0) {
                problems.accept("wait-until: ignoring agent argument " + quote(entry.trim())
                        + ": expected key=value, e.g. drain.timeout=10s,debug=true");
                continue;
            }
            String key = entry.substring(0, eq);
            Setting setting = Setting.byKey(key);
            if (setting == null) {
                problems.accept("wait-until: ignoring unknown agent argument " + quote(key.trim())
                        + "; known settings: " + knownKeys());
                continue;
            }
            parsed.put(setting, entry.substring(eq + 1));
            list = setting.type().isList() ? setting : null;
        }
        return parsed;
    }

    /** A misspelt setting ({@code waituntil.drain.timout}) would otherwise be silently ignored. */
    private static void warnAboutUnknownKeys(
            Map<String, String> properties, Map<String, String> environment, Consumer<String> problems) {
        for (String name : properties.keySet()) {
            if (name.startsWith(Setting.PROPERTY_PREFIX) && !isKnownProperty(name)) {
                problems.accept("wait-until: ignoring unknown system property " + name + "; known settings: "
                        + knownKeys() + " (each with the prefix " + Setting.PROPERTY_PREFIX + ")");
            }
        }
        for (String name : environment.keySet()) {
            if (name.startsWith(Setting.ENV_PREFIX) && !isKnownEnvironmentVariable(name)) {
                problems.accept("wait-until: ignoring unknown environment variable " + name + "; known: "
                        + knownEnvironmentVariables());
            }
        }
    }

    private static boolean isKnownProperty(String name) {
        for (Setting s : Setting.values()) {
            if (s.property().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isKnownEnvironmentVariable(String name) {
        for (Setting s : Setting.values()) {
            if (s.environmentVariable().equals(name)
                    || s.compactEnvironmentVariable().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static String knownKeys() {
        List<String> keys = new ArrayList<>();
        for (Setting s : Setting.values()) {
            keys.add(s.key());
        }
        return String.join(", ", keys);
    }

    private static String knownEnvironmentVariables() {
        List<String> keys = new ArrayList<>();
        for (Setting s : Setting.values()) {
            keys.add(s.environmentVariable());
        }
        return String.join(", ", keys);
    }

    private static String origin(Setting setting, Source source) {
        switch (source) {
            case AGENT_ARGUMENT:
                return setting.key();
            case ENVIRONMENT:
                return setting.environmentVariable();
            default:
                return setting.property();
        }
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> copy = new java.util.HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(Setting.PROPERTY_PREFIX)) {
                copy.put(name, System.getProperty(name));
            }
        }
        return copy;
    }
}
