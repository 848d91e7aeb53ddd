package dev.waituntil.benchmarks;

import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar [JMH options] [benchmark regex...]}: JMH's own command
 * line, with the agent jar handed to the forks that need it.
 *
 * <p>The benchmarks are grouped by what their forks need ({@link Agent}, and the class's own
 * {@code @Fork(jvmArgsAppend)}), and each group is one JMH run through the {@link Runner} API with
 * {@code -javaagent:<agent jar>} appended where required. JMH's annotations cannot do that: they are constants,
 * and the agent jar's path is known only at run time. It is {@code -Dbenchmarks.agentJar=...}, or by default
 * {@code agent/target/wait-until-agent.jar} next to this jar's {@code benchmarks/target}. A class marked
 * {@link Agent.Forks#WITH_AND_WITHOUT} runs in both groups. At the end a summary gives every comparison that was
 * measured in the same run: each benchmark with the agent against the same without it, and each
 * {@link ComparedTo} pair.
 *
 * <p>Listing and help ({@code -l}, {@code -lp}, {@code -h}, {@code -lprof}, {@code -lrf}) are JMH's own.
 * {@code -rff file} writes one result file per group, the group's name added to the file name.
 */
public final class BenchmarkMain {

    /** Forks started with the agent have this system property set to true, the others to false. */
    public static final String AGENT_PROPERTY = "benchmark.agent";

    private BenchmarkMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cli.shouldHelp()
                || cli.shouldList()
                || cli.shouldListWithParams()
                || cli.shouldListProfilers()
                || cli.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }

        Path agentJar = agentJar();
        SortedSet<BenchmarkListEntry> selected = BenchmarkList.defaultList()
                .find(
                        OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT),
                        cli.getIncludes(),
                        cli.getExcludes());
        if (selected.isEmpty()) {
            System.err.println(
                    "No benchmark matches " + cli.getIncludes() + "; java -jar benchmarks.jar -l lists them");
            System.exit(1);
            return;
        }

        Map<Group, List<BenchmarkListEntry>> groups = new LinkedHashMap<>();
        for (BenchmarkListEntry entry : selected) {
            Agent agent = Class.forName(entry.getUserClassQName()).getAnnotation(Agent.class);
            Agent.Forks forks = agent == null ? Agent.Forks.WITH : agent.value();
            List<String> own = new ArrayList<>(entry.getJvmArgsAppend().orElse(Collections.<String>emptyList()));
            if (forks == Agent.Forks.WITH_AND_WITHOUT) {
                groups.computeIfAbsent(new Group(false, own), g -> new ArrayList<>())
                        .add(entry);
            }
            groups.computeIfAbsent(new Group(true, own), g -> new ArrayList<>()).add(entry);
        }

        List<Measured> measured = new ArrayList<>();
        for (Map.Entry<Group, List<BenchmarkListEntry>> g : groups.entrySet()) {
            Group group = g.getKey();
            OptionsBuilder options = new OptionsBuilder();
            options.parent(cli);
            // Includes add up with the parent's, excludes too: exclude whatever is not in this group.
            for (BenchmarkListEntry other : selected) {
                if (!g.getValue().contains(other)) {
                    options.exclude("^" + Pattern.quote(other.getUsername()) + "$");
                }
            }
            List<String> jvmArgs = new ArrayList<>(cli.getJvmArgsAppend().orElse(Collections.<String>emptyList()));
            jvmArgs.addAll(group.ownJvmArgs);
            jvmArgs.add("-D" + AGENT_PROPERTY + "=" + group.agent);
            if (group.agent) {
                jvmArgs.add("-javaagent:" + agentJar);
            }
            options.jvmArgsAppend(jvmArgs.toArray(new String[0]));
            options.addProfiler(Figures.class);
            if (cli.getResult().hasValue()) {
                options.result(withSuffix(cli.getResult().get(), group.fileSuffix()));
            }
            System.out.println();
            System.out.println("# wait-until: running " + describe(g.getValue()) + " " + group + "; JVM args appended: "
                    + String.join(" ", jvmArgs));
            Collection<RunResult> results = new Runner(options.build()).run();
            for (RunResult r : results) {
                measured.add(new Measured(group.agent, r));
            }
        }
        printSummary(measured, System.out);
    }

    /** The agent jar, which must exist: a benchmark "with the agent" that ran without it would be a lie. */
    private static Path agentJar() throws URISyntaxException {
        String configured = System.getProperty("benchmarks.agentJar");
        Path jar;
        if (configured != null) {
            jar = Paths.get(configured);
        } else {
            Path self = Paths.get(BenchmarkMain.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // benchmarks/target/benchmarks.jar -> agent/target/wait-until-agent.jar
            Path root = self.getParent() != null && self.getParent().getParent() != null
                    ? self.getParent().getParent().getParent()
                    : null;
            jar = root == null
                    ? Paths.get("agent", "target", "wait-until-agent.jar")
                    : root.resolve("agent").resolve("target").resolve("wait-until-agent.jar");
        }
        jar = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            System.err.println("The agent jar " + jar
                    + " does not exist. Build it (./mvnw -B -q package -DskipTests -pl benchmarks -am)"
                    + " or name it with -Dbenchmarks.agentJar=/path/to/wait-until-agent.jar");
            System.exit(2);
        }
        return jar;
    }

    private static String withSuffix(String file, String suffix) {
        File f = new File(file);
        String name = f.getName();
        int dot = name.lastIndexOf('.');
        String renamed = dot > 0 ? name.substring(0, dot) + "-" + suffix + name.substring(dot) : name + "-" + suffix;
        return f.getParent() == null ? renamed : new File(f.getParent(), renamed).getPath();
    }

    private static String describe(List<BenchmarkListEntry> entries) {
        List<String> classes = new ArrayList<>();
        for (BenchmarkListEntry e : entries) {
            String simple =
                    e.getUserClassQName().substring(e.getUserClassQName().lastIndexOf('.') + 1);
            if (!classes.contains(simple)) {
                classes.add(simple);
            }
        }
        return String.join(", ", classes);
    }

    // ---------------------------------------------------------------- the summary

    private static void printSummary(List<Measured> measured, PrintStream out) throws ClassNotFoundException {
        List<String[]> rows = new ArrayList<>();
        for (Measured m : measured) {
            if (m.agent) {
                for (Measured base : measured) {
                    if (!base.agent && base.key().equals(m.key())) {
                        rows.add(row(m.label() + ", agent vs none", m, base));
                    }
                }
            }
            for (String baseline : baselinesOf(m)) {
                for (Measured base : measured) {
                    if (base.agent == m.agent
                            && base.method().equals(baseline)
                            && base.className().equals(m.className())
                            && base.paramsKey().equals(m.paramsKey())) {
                        rows.add(row(m.label() + " vs " + baseline, m, base));
                    }
                }
            }
        }
        out.println();
        out.println(
                "# wait-until: comparisons measured in the same run (measured, baseline, measured - baseline, measured / baseline)");
        if (rows.isEmpty()) {
            out.println("(none: no benchmark with a baseline was run)");
            return;
        }
        String[] header = {
            "comparison", "measured", "baseline", "diff", "ratio", "alloc B/op measured", "baseline", "diff"
        };
        rows.add(0, header);
        int[] widths = new int[header.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                b.append(
                        i == 0
                                ? String.format("%-" + widths[i] + "s", r[i])
                                : String.format("  %" + widths[i] + "s", r[i]));
            }
            out.println(b);
        }
    }

    private static String[] row(String label, Measured m, Measured base) {
        Result a = m.result.getPrimaryResult();
        Result b = base.result.getPrimaryResult();
        String unit = a.getScoreUnit();
        Result allocA = m.result.getSecondaryResults().get("gc.alloc.rate.norm");
        Result allocB = base.result.getSecondaryResults().get("gc.alloc.rate.norm");
        return new String[] {
            label,
            score(a) + " " + unit,
            score(b) + " " + b.getScoreUnit(),
            String.format(Locale.ROOT, "%+.3f", a.getScore() - b.getScore()),
            String.format(Locale.ROOT, "%.3f", a.getScore() / b.getScore()),
            allocA == null ? "-" : String.format(Locale.ROOT, "%.1f", allocA.getScore()),
            allocB == null ? "-" : String.format(Locale.ROOT, "%.1f", allocB.getScore()),
            allocA == null || allocB == null
                    ? "-"
                    : String.format(Locale.ROOT, "%+.1f", allocA.getScore() - allocB.getScore()),
        };
    }

    private static String score(Result r) {
        double error = r.getScoreError();
        return Double.isNaN(error)
                ? String.format(Locale.ROOT, "%.3f", r.getScore())
                : String.format(Locale.ROOT, "%.3f ± %.3f", r.getScore(), error);
    }

    private static List<String> baselinesOf(Measured m) throws ClassNotFoundException {
        // Benchmark methods take and return JDK and JMH types only: this JVM has no agent classes to resolve.
        for (Class<?> c = Class.forName(m.className()); c != null; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.getName().equals(m.method()) && method.isAnnotationPresent(Benchmark.class)) {
                    ComparedTo compared = method.getAnnotation(ComparedTo.class);
                    return compared == null ? Collections.<String>emptyList() : List.of(compared.value());
                }
            }
        }
        return Collections.emptyList();
    }

    /** The forks of one JMH run: with or without the agent, and the JVM arguments of the classes' own {@code @Fork}. */
    private static final class Group {
        final boolean agent;
        final List<String> ownJvmArgs;

        Group(boolean agent, List<String> ownJvmArgs) {
            this.agent = agent;
            this.ownJvmArgs = ownJvmArgs;
        }

        String fileSuffix() {
            String args = String.join("", ownJvmArgs).replaceAll("[^A-Za-z0-9]+", "");
            return (agent ? "agent" : "none") + (args.isEmpty() ? "" : "-" + args);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Group && ((Group) o).agent == agent && ((Group) o).ownJvmArgs.equals(ownJvmArgs);
        }

        @Override
        public int hashCode() {
            return Objects.hash(agent, ownJvmArgs);
        }

        @Override
        public String toString() {
            return agent ? "with the agent" : "without the agent";
        }
    }

    private static final class Measured {
        final boolean agent;
        final RunResult result;

        Measured(boolean agent, RunResult result) {
            this.agent = agent;
            this.result = result;
        }

        String benchmark() {
            return result.getParams().getBenchmark();
        }

        String className() {
            return benchmark().substring(0, benchmark().lastIndexOf('.'));
        }

        String method() {
            return benchmark().substring(benchmark().lastIndexOf('.') + 1);
        }

        String paramsKey() {
            Map<String, String> params = new TreeMap<>();
            for (String k : result.getParams().getParamsKeys()) {
                params.put(k, result.getParams().getParam(k));
            }
            return result.getParams().getMode() + " " + result.getParams().getThreads() + "t " + params;
        }

        String key() {
            return benchmark() + " " + paramsKey();
        }

        String label() {
            String simple = benchmark()
                    .substring(benchmark().lastIndexOf('.', benchmark().lastIndexOf('.') - 1) + 1);
            Map<String, String> params = new TreeMap<>();
            for (String k : result.getParams().getParamsKeys()) {
                params.put(k, result.getParams().getParam(k));
            }
            return simple + (params.isEmpty() ? "" : " " + params) + " ("
                    + result.getParams().getThreads() + " thread"
                    + (result.getParams().getThreads() == 1 ? "" : "s") + ")";
        }
    }
}
