package dev.waituntil.benchmarks.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options, each with a default; an unknown name or a missing value is a usage error. */
public final class Options {

    private final Map<String, String> values = new HashMap<>();

    private Options() {}

    /** {@code defaults}: name (without {@code --}) to default value; flags have the default {@code "false"}. */
    public static Options parse(String[] args, Map<String, String> defaults, Set<String> flags, String usage) {
        Options o = new Options();
        o.values.putAll(defaults);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!a.startsWith("--") || !(defaults.containsKey(a.substring(2)) || flags.contains(a.substring(2)))) {
                throw usage(usage, "unknown option " + a);
            }
            String name = a.substring(2);
            if (flags.contains(name)) {
                o.values.put(name, "true");
            } else if (i + 1 < args.length) {
                o.values.put(name, args[++i]);
            } else {
                throw usage(usage, "option " + a + " needs a value");
            }
        }
        return o;
    }

    private static IllegalArgumentException usage(String usage, String problem) {
        System.err.println(problem);
        System.err.println(usage);
        System.exit(2);
        return new IllegalArgumentException(problem);
    }

    public String get(String name) {
        return values.get(name);
    }

    public int integer(String name) {
        return Integer.parseInt(values.get(name));
    }

    public double decimal(String name) {
        return Double.parseDouble(values.get(name));
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.get(name));
    }

    /** A value split at white space; empty for an empty value. */
    public List<String> words(String name) {
        String v = values.get(name).trim();
        return v.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(v.split("\\s+")));
    }

    /** A comma-separated value. */
    public List<String> list(String name) {
        String v = values.get(name).trim();
        return v.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(v.split("\\s*,\\s*")));
    }
}
