package dev.waituntil.it.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The chaos shutdown: rounds of continuous load from several clients, each ended by a stop at a random
 * instant (SIGTERM; on embedded servers also the program's own {@code stop()}), on every container of the
 * compatibility table: standalone distributions, embedded servers ({@code embedded-<host>}) and Spring Boot
 * ({@code spring-boot-<server>}). This class holds what those tests share: which containers run it, how many
 * rounds, the random instants and ways to stop, and the totals that RELIABILITY.md reports.
 *
 * <p>Settings, as system properties of the failsafe run (the {@code stress} profile of integration-tests raises
 * them):
 * <ul>
 *   <li>{@code it.chaos.rounds}: rounds per container (default 3);</li>
 *   <li>{@code it.chaos.containers}: the container ids that run it, comma-separated, or {@code all} (default
 *       {@code tomcat10,jetty-12-ee10}: one Tomcat and one Jetty);</li>
 *   <li>{@code it.chaos.seed}: the seed of the instants (default: the clock), printed with the figures so that a
 *       failing run can be repeated with the same instants.</li>
 * </ul>
 */
public final class ChaosRounds {

    /** The earliest and latest SIGTERM after the load has started. */
    static final long MIN_DELAY_MS = 300;

    static final long MAX_DELAY_MS = 4000;

    private final String container;
    private final int rounds;
    private final long seed;
    private final Random random;
    private final List<String> lines = new ArrayList<>();
    private long accepted;
    private long finished;
    private long lost;
    private long late;
    private long refused;
    private long answered5xx;
    private long maxExitMillis;

    private ChaosRounds(String container, int rounds, long seed) {
        this.container = container;
        this.rounds = rounds;
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** The rounds for {@code container}, or none (zero rounds) when the settings leave it out. */
    public static ChaosRounds forContainer(String container) {
        String containers = System.getProperty("it.chaos.containers", "tomcat10,jetty-12-ee10");
        boolean included =
                containers.equals("all") || Arrays.asList(containers.split(",")).contains(container);
        int rounds = included ? Integer.getInteger("it.chaos.rounds", 3) : 0;
        long seed = Long.getLong("it.chaos.seed", System.nanoTime());
        return new ChaosRounds(container, rounds, seed);
    }

    public int rounds() {
        return rounds;
    }

    /**
     * One round: starts a fresh server, stops it at {@code instant}, checks it; returns the tasks it accepted (whose
     * request reached the application).
     */
    @FunctionalInterface
    public interface Round {
        int run(int round, Duration instant) throws Exception;
    }

    /**
     * Runs the rounds, or skips the test (with the reason) where the settings give this container none; then hands
     * the totals line to {@code report} and checks that the load was real: at least one task accepted per round.
     */
    public void run(Consumer<String> report, Round round) throws Exception {
        Assumptions.assumeTrue(
                rounds > 0,
                "chaos rounds are not set for " + container
                        + " (it.chaos.containers; the stress profile runs every container)");
        long accepted = 0;
        for (int r = 1; r <= rounds; r++) {
            accepted += round.run(r, nextInstant());
        }
        report.accept(totals());
        Assertions.assertTrue(accepted >= rounds, "the load was real: " + accepted + " tasks accepted");
    }

    /** For a failing round's message: {@code round 3 (seed 42, SIGTERM at 1200 ms)}, all it takes to repeat it. */
    public String describe(int round, String stop, Duration instant) {
        return "round " + round + " (seed " + seed + ", " + stop + " at " + instant.toMillis() + " ms)";
    }

    /** When the next SIGTERM comes after the load has started: uniformly 0.3 to 4 s. */
    public Duration nextInstant() {
        return Duration.ofMillis(MIN_DELAY_MS + (long) (random.nextDouble() * (MAX_DELAY_MS - MIN_DELAY_MS)));
    }

    /** One of {@code choices}, at random from the seed: how a round stops, where there is more than one way. */
    public <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** Records one round ended by SIGTERM; returns its figures line. */
    public String record(
            int round,
            Duration instant,
            int accepted,
            int finished,
            int lost,
            int late,
            LoadClients load,
            long exitMillis) {
        return record(round, "SIGTERM", instant, accepted, finished, lost, late, load, exitMillis);
    }

    /**
     * Records one round ended by {@code stop} ({@code SIGTERM}, {@code stop()}...); returns its figures line.
     * {@code accepted}: the tasks whose request reached the application; {@code load}: what the clients saw.
     */
    public String record(
            int round,
            String stop,
            Duration instant,
            int accepted,
            int finished,
            int lost,
            int late,
            LoadClients load,
            long exitMillis) {
        this.accepted += accepted;
        this.finished += finished;
        this.lost += lost;
        this.late += late;
        this.refused += load.refused();
        this.answered5xx += load.count5xx();
        this.maxExitMillis = Math.max(maxExitMillis, exitMillis);
        String line = String.format(
                "chaos %s round %d/%d: %s %d ms into the load; requests %s; tasks of requests the "
                        + "application saw %d, finished %d, lost %d, finished after contextDestroyed %d; stop to exit %d ms",
                container,
                round,
                rounds,
                stop,
                instant.toMillis(),
                load.statusCounts(),
                accepted,
                finished,
                lost,
                late,
                exitMillis);
        lines.add(line);
        return line;
    }

    /** The totals of the rounds recorded so far. */
    public String totals() {
        return String.format(
                "chaos %s: %d rounds (seed %d): tasks of requests the application saw %d, finished %d, "
                        + "lost %d, finished after contextDestroyed %d; requests answered 5xx %d, otherwise not 2xx %d; "
                        + "longest stop to exit %d ms",
                container,
                lines.size(),
                seed,
                accepted,
                finished,
                lost,
                late,
                answered5xx,
                refused - answered5xx,
                maxExitMillis);
    }

    public long seed() {
        return seed;
    }
}
