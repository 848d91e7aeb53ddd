package dev.waituntil.benchmarks.startup;

import dev.waituntil.benchmarks.server.HttpResponses;
import dev.waituntil.benchmarks.server.Layout;
import dev.waituntil.benchmarks.server.Machine;
import dev.waituntil.benchmarks.server.Options;
import dev.waituntil.benchmarks.server.Quiet;
import dev.waituntil.benchmarks.server.ServerKind;
import dev.waituntil.benchmarks.server.ServerProcess;
import dev.waituntil.benchmarks.server.Stats;
import dev.waituntil.benchmarks.server.hello.HelloServlet;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From JVM start to the first answered request, with the agent and without, on the hello servers
 * of {@link dev.waituntil.benchmarks.server.ThroughputBenchmark} (embedded Jetty 12 ee10 and Tomcat 10.1), and on the
 * standalone distributions of Tomcat 10.1 and Jetty 12.1 ({@code --servers tomcat-dist,jetty-dist}, see
 * {@link StandaloneServer}), as users run them.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.waituntil.benchmarks.startup.StartupBenchmark [options]</pre>
 *
 * <p>One measurement: the clock starts right before the server's {@code java} process is spawned; the server prints
 * {@code STARTED <port>} once it accepts connections; this JVM reads that line and at once sends
 * {@code GET /hello} on a new connection; the clock stops when the whole response has been read. So the figure
 * holds JVM start, the agent's premain, the server's start, and the first request with its class loading and
 * (with the agent) the instrumentation of the classes it loads. Every measurement is a fresh JVM. Per run and
 * server, every variant (without the agent, with it) runs once, back to back, in an order that rotates from run to
 * run, so that a drift of the machine does not favour one.
 *
 * <p>A standalone server is measured the same way up to the clock's stop: it prints nothing of ours, so the
 * benchmark asks for the probe application's {@code GET /probe/hello} every 5 ms from the spawn on, and the clock
 * stops at the end of the first 200; "ready" is the first connection it accepted. The figure holds, besides the
 * above, the server reading its configuration and deploying the WAR.
 *
 * <p>{@code --compare a.jar,b.jar} measures several agent jars side by side in one run (e.g. before and after a
 * change), each against the same baseline without an agent.
 */
public final class StartupBenchmark {

    static final String USAGE = String.join(
            "\n",
            "usage: java -cp benchmarks/target/benchmarks.jar dev.waituntil.benchmarks.startup.StartupBenchmark [options]",
            "  --runs N              runs; each starts every server once per variant (default 10)",
            "  --servers LIST        among jetty, tomcat (embedded hello servers) and tomcat-dist, jetty-dist (the",
            "                        standalone distributions with a probe WAR, as users run them) (default jetty,tomcat)",
            "  --agent PATH          the agent jar (default agent/target/wait-until-agent.jar)",
            "  --agent-args ARGS     -javaagent:<jar>=ARGS (default none)",
            "  --compare LIST        several agent jars, comma-separated, instead of --agent: each is a variant",
            "  --server-jvm-args S   options of the server JVMs, every variant (default none)",
            "  --server-cpus LIST    pin the server JVMs with taskset -c LIST (default: not pinned)",
            "  --budget MS           the budget for the time the agent adds, in ms (default 150)",
            "  --other-agent         the jars are some other agent (an experiment): do not check that wait-until runs",
            "  --logs DIR            the servers' output (default benchmarks/target/server-logs); the standalone",
            "                        servers' bases go to benchmarks/target/startup-bases",
            "  --quiet CPUS          before each run, wait (at most 10 min) until other processes use less than CPUS;",
            "                        repeat a sample (up to 3 times) during which they used more (default 0.2; 0: off)");

    private StartupBenchmark() {}

    /** Without an agent ({@code jar} null), or with the agent jar {@code jar}. */
    record Variant(String label, Path jar) {
        boolean agent() {
            return jar != null;
        }
    }

    record Sample(StartupTarget server, int run, Variant variant, double readyMillis, double firstAnswerMillis) {}

    /** An embedded hello server: it prints its port once it accepts connections, then {@code GET /hello}. */
    private record Embedded(ServerKind kind, Layout layout, Options o, List<String> prefix) implements StartupTarget {
        @Override
        public String id() {
            return kind.id();
        }

        @Override
        public String displayName() {
            return kind.displayName();
        }

        @Override
        public Timing measure(Path agent, Path log) throws Exception {
            try (ServerProcess process = ServerProcess.launch(
                    layout.withAgent(agent),
                    kind,
                    agent != null,
                    o.get("agent-args"),
                    prefix,
                    o.words("server-jvm-args"),
                    0,
                    log)) {
                int port = process.awaitPort(120);
                int status = HttpResponses.getOnce("127.0.0.1", port, HelloServlet.PATH, 60_000);
                long answered = System.nanoTime();
                if (status != 200) {
                    throw new IllegalStateException(kind.displayName() + " answered " + status + "; see " + log);
                }
                if (!o.flag("other-agent")) {
                    process.checkAgent(60);
                }
                return new Timing(
                        (process.startedNanos() - process.launchedNanos()) / 1e6,
                        (answered - process.launchedNanos()) / 1e6);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("runs", "10");
        defaults.put("servers", "jetty,tomcat");
        defaults.put("agent", "");
        defaults.put("agent-args", "");
        defaults.put("compare", "");
        defaults.put("server-jvm-args", "");
        defaults.put("server-cpus", "");
        defaults.put("budget", "150");
        defaults.put("logs", "");
        defaults.put("quiet", "0.2");
        Options o = Options.parse(args, defaults, Set.of("other-agent"), USAGE);
        double quiet = o.decimal("quiet");

        Layout layout = Layout.find(o.get("agent").isEmpty() ? null : o.get("agent"));
        List<String> prefix = Machine.pinPrefix(o.get("server-cpus"));
        StandaloneServer.Launch launch = new StandaloneServer.Launch(
                layout.java(), prefix, o.words("server-jvm-args"), o.get("agent-args"), !o.flag("other-agent"));
        List<StartupTarget> servers = new ArrayList<>();
        for (String s : o.list("servers")) {
            servers.add(target(s, layout, o, launch));
        }
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("none", null));
        if (o.get("compare").isEmpty()) {
            variants.add(new Variant("agent", layout.agentJar()));
        } else {
            for (String jar : o.list("compare")) {
                Path path = Paths.get(jar).toAbsolutePath().normalize();
                variants.add(new Variant(path.getFileName().toString().replaceFirst("\\.jar$", ""), path));
            }
        }
        for (Variant v : variants) {
            if (v.agent()) {
                layout.withAgent(v.jar()); // fails now, not after some runs, on a jar that is not there
            }
        }
        int runs = o.integer("runs");
        double budget = o.decimal("budget");
        Path logs = o.get("logs").isEmpty()
                ? layout.helloJar().getParent().resolve("server-logs")
                : Paths.get(o.get("logs"));

        System.out.println("# Start-up: JVM start to the first answered request, agent vs none");
        System.out.println(Machine.describe(layout.java()));
        System.out.println(
                "servers: " + (o.get("server-cpus").isEmpty() ? "not pinned" : "pinned to CPUs " + o.get("server-cpus"))
                        + "; JVM options " + o.words("server-jvm-args")
                        + (o.get("agent-args").isEmpty() ? "" : "; agent arguments " + o.get("agent-args")));
        for (Variant v : variants) {
            System.out.println("variant " + v.label() + ": " + (v.agent() ? "-javaagent:" + v.jar() : "no agent"));
        }
        System.out.println(
                "runs " + runs + "; started " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        System.out.println();

        List<Sample> samples = new ArrayList<>();
        int repeated = 0;
        for (int run = 1; run <= runs; run++) {
            for (StartupTarget server : servers) {
                if (quiet > 0) {
                    Quiet.await(quiet, 600);
                }
                for (int k = 0; k < variants.size(); k++) {
                    // none, agent in odd runs, agent, none in even ones; with more variants, a rotation
                    Variant variant = variants.size() == 2
                            ? variants.get(run % 2 == 1 ? k : 1 - k)
                            : variants.get((k + run - 1) % variants.size());
                    Path log = logs.resolve(String.format("startup-%s-r%d-%s.log", server.id(), run, variant.label()));
                    Sample s = null;
                    for (int attempt = 1; s == null; attempt++) {
                        Quiet.Window others = new Quiet.Window();
                        StartupTarget.Timing t = server.measure(variant.jar(), log);
                        s = new Sample(server, run, variant, t.readyMillis(), t.firstAnswerMillis());
                        double share = others.share();
                        if (quiet > 0 && share > quiet && attempt <= 3) {
                            System.out.printf(
                                    "run %2d %-11s %-20s first answer %6.0f ms, but other processes used %.2f "
                                            + "CPUs: measured again%n",
                                    run, server.id(), variant.label(), s.firstAnswerMillis(), share);
                            s = null;
                            repeated++;
                            Quiet.await(quiet, 600);
                        }
                    }
                    samples.add(s);
                    System.out.printf(
                            "run %2d %-11s %-20s ready %6.0f ms, first answer %6.0f ms%n",
                            run, server.id(), variant.label(), s.readyMillis(), s.firstAnswerMillis());
                    Thread.sleep(500);
                }
            }
        }
        System.out.println();
        if (quiet > 0) {
            System.out.println(
                    "samples measured again because other processes used more than " + quiet + " CPUs: " + repeated);
            System.out.println();
        }
        boolean allMet = true;
        for (StartupTarget server : servers) {
            allMet &= report(samples, server, variants, runs, budget);
        }
        System.out.println(allMet ? "all budgets met" : "a budget was missed");
    }

    /** {@code jetty}, {@code tomcat}: an embedded hello server; {@code tomcat-dist}, {@code jetty-dist}: standalone. */
    private static StartupTarget target(String id, Layout layout, Options o, StandaloneServer.Launch launch) {
        StandaloneServer standalone = StandaloneServer.of(
                id, layout.distributions(), layout.distributions().resolveSibling("startup-bases"), launch);
        if (standalone != null) {
            return standalone;
        }
        for (ServerKind kind : ServerKind.values()) {
            if (kind.id().equalsIgnoreCase(id)) {
                return new Embedded(kind, layout, o, launch.prefix());
            }
        }
        throw new IllegalArgumentException(
                "unknown server '" + id + "'; expected jetty, tomcat, tomcat-dist or jetty-dist");
    }

    private static boolean report(
            List<Sample> samples, StartupTarget server, List<Variant> variants, int runs, double budget) {
        System.out.println("## " + server.displayName());
        System.out.println();
        StringBuilder header = new StringBuilder("| run |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Variant v : variants) {
            header.append(' ')
                    .append(v.label())
                    .append(": ready | ")
                    .append(v.label())
                    .append(": first answer |");
            rule.append("---|---|");
        }
        if (variants.size() == 2) {
            header.append(" added (first answer) |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int run = 1; run <= runs; run++) {
            StringBuilder row = new StringBuilder("| " + run + " |");
            for (Variant v : variants) {
                Sample s = find(samples, server, run, v);
                row.append(String.format(" %.0f | %.0f |", s.readyMillis(), s.firstAnswerMillis()));
            }
            if (variants.size() == 2) {
                row.append(String.format(
                        " %+.0f |",
                        find(samples, server, run, variants.get(1)).firstAnswerMillis()
                                - find(samples, server, run, variants.get(0)).firstAnswerMillis()));
            }
            System.out.println(row);
        }
        System.out.println();
        List<Double> none = firstAnswers(samples, server, variants.get(0));
        boolean met = true;
        System.out.println(
                "| variant | first answer: median | min | max | IQR | ready: median | added vs none (medians) | added per run: median, min..max | budget < "
                        + String.format("%.0f", budget) + " ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Variant v : variants) {
            List<Double> first = firstAnswers(samples, server, v);
            List<Double> ready = new ArrayList<>();
            List<Double> added = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                ready.add(find(samples, server, run, v).readyMillis());
                added.add(find(samples, server, run, v).firstAnswerMillis()
                        - find(samples, server, run, variants.get(0)).firstAnswerMillis());
            }
            double addedMedians = Stats.median(first) - Stats.median(none);
            boolean vMet = !v.agent() || addedMedians < budget;
            met &= vMet;
            System.out.printf(
                    "| %s | %.0f | %.0f | %.0f | %.0f..%.0f | %.0f | %s | %s | %s |%n",
                    v.label(),
                    Stats.median(first),
                    Stats.min(first),
                    Stats.max(first),
                    Stats.quantile(first, 0.25),
                    Stats.quantile(first, 0.75),
                    Stats.median(ready),
                    v.agent() ? String.format("%+.0f ms", addedMedians) : "",
                    v.agent()
                            ? String.format(
                                    "%+.0f ms, %+.0f..%+.0f", Stats.median(added), Stats.min(added), Stats.max(added))
                            : "",
                    v.agent() ? (vMet ? "MET" : "MISSED") : "");
        }
        System.out.println();
        return met;
    }

    private static List<Double> firstAnswers(List<Sample> samples, StartupTarget server, Variant variant) {
        List<Double> values = new ArrayList<>();
        for (Sample s : samples) {
            if (s.server() == server && s.variant().equals(variant)) {
                values.add(s.firstAnswerMillis());
            }
        }
        return values;
    }

    private static Sample find(List<Sample> samples, StartupTarget server, int run, Variant variant) {
        for (Sample s : samples) {
            if (s.server() == server && s.run() == run && s.variant().equals(variant)) {
                return s;
            }
        }
        throw new IllegalStateException("no sample " + server.id() + " " + run + " " + variant);
    }
}
