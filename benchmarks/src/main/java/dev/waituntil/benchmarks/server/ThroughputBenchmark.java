package dev.waituntil.benchmarks.server;

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
 * HTTP throughput of a hello-world servlet on embedded Jetty 12 (ee10) and Tomcat 10.1, with the
 * agent and without, alternating in one run.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.waituntil.benchmarks.server.ThroughputBenchmark [options]</pre>
 *
 * <p>Each measurement starts the server in a fresh JVM ({@link ServerProcess}), warms it up under the same load,
 * measures, and stops it. Per round and server, both variants run back to back, the order alternating from round
 * to round (none first in odd rounds, agent first in even ones), so that a drift of the machine does not favour
 * one. The load comes from {@link LoadClient} in this JVM: closed loop, N keep-alive connections over plain sockets.
 * The ratio of a round is agent/none of that round; the verdict uses the median of the rounds' ratios.
 */
public final class ThroughputBenchmark {

    static final String USAGE = String.join(
            "\n",
            "usage: java -cp benchmarks/target/benchmarks.jar dev.waituntil.benchmarks.server.ThroughputBenchmark [options]",
            "  --rounds N            rounds; each runs every server without and with the agent (default 5)",
            "  --warmup S            seconds of load before measuring, per server JVM (default 10)",
            "  --measure S           seconds measured, per server JVM (default 15)",
            "  --connections N       keep-alive connections, one client thread each (default 16)",
            "  --servers LIST        jetty,tomcat (default both)",
            "  --agent PATH          the agent jar (default agent/target/wait-until-agent.jar)",
            "  --agent-args ARGS     -javaagent:<jar>=ARGS (default none)",
            "  --server-jvm-args S   options of the server JVMs, both variants (default \"-Xms256m -Xmx256m\")",
            "  --server-cpus LIST    pin the server JVMs with taskset -c LIST (default: not pinned)",
            "  --client-cpus LIST    pin this JVM (the load client) with taskset -a -p -c LIST (default: not pinned)",
            "  --budget R            the budget for agent/none (default 0.98)",
            "  --logs DIR            the servers' output (default benchmarks/target/server-logs)",
            "  --quiet CPUS          before each measurement, wait (at most 15 min) until other processes use less than",
            "                        CPUS; repeat one (up to 3 times) during which they used more (default 0.15; 0: off)");

    private ThroughputBenchmark() {}

    record Measurement(ServerKind server, int round, boolean agent, LoadClient.Result result) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("rounds", "5");
        defaults.put("warmup", "10");
        defaults.put("measure", "15");
        defaults.put("connections", "16");
        defaults.put("servers", "jetty,tomcat");
        defaults.put("agent", "");
        defaults.put("agent-args", "");
        defaults.put("server-jvm-args", "-Xms256m -Xmx256m");
        defaults.put("server-cpus", "");
        defaults.put("client-cpus", "");
        defaults.put("budget", "0.98");
        defaults.put("logs", "");
        defaults.put("quiet", "0.15");
        Options o = Options.parse(args, defaults, Set.of(), USAGE);
        double quiet = o.decimal("quiet");

        Layout layout = Layout.find(o.get("agent").isEmpty() ? null : o.get("agent"));
        List<ServerKind> servers = new ArrayList<>();
        for (String s : o.list("servers")) {
            servers.add(ServerKind.of(s));
        }
        int rounds = o.integer("rounds");
        long warmup = (long) (o.decimal("warmup") * 1000);
        long measure = (long) (o.decimal("measure") * 1000);
        int connections = o.integer("connections");
        double budget = o.decimal("budget");
        List<String> serverPrefix = Machine.pinPrefix(o.get("server-cpus"));
        String machine = Machine.describe(layout.java()); // before pinning, which limits what this JVM sees
        int processors = Runtime.getRuntime().availableProcessors();
        if (!o.get("client-cpus").isEmpty()) {
            Machine.pinSelf(o.get("client-cpus"));
        }
        Path logs = o.get("logs").isEmpty()
                ? layout.helloJar().getParent().resolve("server-logs")
                : Paths.get(o.get("logs"));

        System.out.println("# Whole server: hello-world throughput, agent vs none");
        System.out.println(machine);
        System.out.println("client: this JVM, " + connections
                + " closed-loop keep-alive connections over plain sockets, " + "one thread each; "
                + (o.get("client-cpus").isEmpty() ? "not pinned" : "pinned to CPUs " + o.get("client-cpus")));
        System.out.println("servers: "
                + (o.get("server-cpus").isEmpty()
                        ? "not pinned (client and server share all " + processors + " processors)"
                        : "pinned to CPUs " + o.get("server-cpus"))
                + "; JVM options " + o.words("server-jvm-args") + "; agent " + layout.agentJar()
                + (o.get("agent-args").isEmpty() ? "" : "=" + o.get("agent-args")));
        System.out.println(
                "rounds " + rounds + ", warm-up " + warmup + " ms, measured " + measure + " ms per server JVM; "
                        + "started " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        System.out.println();

        List<Measurement> all = new ArrayList<>();
        int repeated = 0;
        for (int round = 1; round <= rounds; round++) {
            for (ServerKind server : servers) {
                boolean[] order = round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false};
                for (boolean agent : order) {
                    Path log = logs.resolve(
                            String.format("throughput-%s-r%d-%s.log", server.id(), round, agent ? "agent" : "none"));
                    LoadClient.Result r = null;
                    for (int attempt = 1; r == null; attempt++) {
                        if (quiet > 0) {
                            Quiet.await(quiet, 900);
                        }
                        Quiet.Window others = new Quiet.Window();
                        try (ServerProcess process = ServerProcess.launch(
                                layout,
                                server,
                                agent,
                                o.get("agent-args"),
                                serverPrefix,
                                o.words("server-jvm-args"),
                                0,
                                log)) {
                            int port = process.awaitStarted(120);
                            r = new LoadClient("127.0.0.1", port, HelloServlet.PATH, connections)
                                    .run(warmup, measure, process.pid());
                        }
                        double share = others.share();
                        if (quiet > 0 && share > quiet && attempt <= 3) {
                            System.out.printf(
                                    "round %d %-7s %-5s %10.0f req/s, but other processes used %.2f CPUs: measured again%n",
                                    round, server.id(), agent ? "agent" : "none", r.throughput(), share);
                            r = null;
                            repeated++;
                        }
                    }
                    all.add(new Measurement(server, round, agent, r));
                    System.out.printf(
                            "round %d %-7s %-5s %10.0f req/s  p50 %6.0f us  p99 %7.0f us  server CPU %5.1f us/req  "
                                    + "client CPU %5.1f us/req  errors %d  reconnects %d%n",
                            round,
                            server.id(),
                            agent ? "agent" : "none",
                            r.throughput(),
                            r.latency().percentileMicros(0.50),
                            r.latency().percentileMicros(0.99),
                            r.serverCpuMicrosPerRequest(),
                            r.clientCpuMicrosPerRequest(),
                            r.errors(),
                            r.reconnects());
                    Thread.sleep(1000);
                }
            }
        }
        System.out.println();
        if (quiet > 0) {
            System.out.println(
                    "measurements repeated because other processes used more than " + quiet + " CPUs: " + repeated);
            System.out.println();
        }
        report(all, servers, rounds, budget);
    }

    private static void report(List<Measurement> all, List<ServerKind> servers, int rounds, double budget) {
        boolean allMet = true;
        for (ServerKind server : servers) {
            System.out.println("## " + server.displayName());
            System.out.println();
            System.out.println("| round | none (req/s) | agent (req/s) | agent/none | none p99 (us) | agent p99 (us) "
                    + "| none: server CPU (us/req) | agent: server CPU (us/req) | CPU agent/none |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            List<Double> ratios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            List<Double> none = new ArrayList<>();
            List<Double> agent = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                LoadClient.Result n = find(all, server, round, false);
                LoadClient.Result a = find(all, server, round, true);
                double ratio = a.throughput() / n.throughput();
                ratios.add(ratio);
                none.add(n.throughput());
                agent.add(a.throughput());
                double cpuRatio = a.serverCpuMicrosPerRequest() / n.serverCpuMicrosPerRequest();
                cpuRatios.add(cpuRatio);
                System.out.printf(
                        "| %d | %.0f | %.0f | %.4f | %.0f | %.0f | %.2f | %.2f | %.4f |%n",
                        round,
                        n.throughput(),
                        a.throughput(),
                        ratio,
                        n.latency().percentileMicros(0.99),
                        a.latency().percentileMicros(0.99),
                        n.serverCpuMicrosPerRequest(),
                        a.serverCpuMicrosPerRequest(),
                        cpuRatio);
            }
            double median = Stats.median(ratios);
            boolean met = median >= budget;
            allMet &= met;
            System.out.println();
            System.out.printf(
                    "none: median %.0f req/s (min %.0f, max %.0f, stdev %.1f%%); agent: median %.0f req/s (min %.0f, max %.0f, stdev %.1f%%)%n",
                    Stats.median(none),
                    Stats.min(none),
                    Stats.max(none),
                    100 * Stats.stdev(none) / Stats.mean(none),
                    Stats.median(agent),
                    Stats.min(agent),
                    Stats.max(agent),
                    100 * Stats.stdev(agent) / Stats.mean(agent));
            System.out.printf(
                    "agent/none per round: median %.4f, min %.4f, max %.4f, mean %.4f, stdev %.4f; "
                            + "ratio of the medians %.4f%n",
                    median,
                    Stats.min(ratios),
                    Stats.max(ratios),
                    Stats.mean(ratios),
                    Stats.stdev(ratios),
                    Stats.median(agent) / Stats.median(none));
            System.out.printf(
                    "server CPU per request, agent/none per round: median %.4f, min %.4f, max %.4f "
                            + "(above 1: the agent's server spends more CPU on a request)%n",
                    Stats.median(cpuRatios), Stats.min(cpuRatios), Stats.max(cpuRatios));
            System.out.printf(
                    "budget agent/none >= %.2f: %s (median of the rounds' ratios %.4f)%n%n",
                    budget, met ? "MET" : "MISSED", median);
        }
        System.out.println(allMet ? "all budgets met" : "a budget was missed");
    }

    private static LoadClient.Result find(List<Measurement> all, ServerKind server, int round, boolean agent) {
        for (Measurement m : all) {
            if (m.server() == server && m.round() == round && m.agent() == agent) {
                return m.result();
            }
        }
        throw new IllegalStateException("no measurement " + server + " " + round + " " + agent);
    }
}
