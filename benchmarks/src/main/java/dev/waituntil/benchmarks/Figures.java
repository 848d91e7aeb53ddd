package dev.waituntil.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Figures that a benchmark measures itself (bytes retained per task, a latency taken between two threads),
 * reported by JMH as secondary results next to the primary score. A benchmark calls {@link #record} during an
 * iteration; at the end of the iteration this profiler reports the mean of what was recorded, and JMH averages
 * the iterations with an error bar, as for any score. ({@code @AuxCounters} cannot do this: its events are
 * summed over the iterations, not averaged.)
 *
 * <p>{@link BenchmarkMain} adds this profiler to every run; by hand: {@code -prof dev.waituntil.benchmarks.Figures}.
 */
public final class Figures implements InternalProfiler {

    private static final Map<String, double[]> RECORDED = new LinkedHashMap<>();
    private static final Map<String, String> UNITS = new LinkedHashMap<>();

    /** Records one value of the figure {@code name}; several in one iteration are averaged. */
    public static synchronized void record(String name, double value, String unit) {
        double[] sumAndCount = RECORDED.computeIfAbsent(name, n -> new double[2]);
        sumAndCount[0] += value;
        sumAndCount[1]++;
        UNITS.put(name, unit);
    }

    @Override
    public String getDescription() {
        return "figures the wait-until benchmarks measure themselves (retained bytes per task, drain latencies)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        synchronized (Figures.class) {
            RECORDED.clear();
        }
    }

    @Override
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        List<Result> results = new ArrayList<>();
        synchronized (Figures.class) {
            for (Map.Entry<String, double[]> e : RECORDED.entrySet()) {
                double[] v = e.getValue();
                results.add(new ScalarResult(e.getKey(), v[0] / v[1], UNITS.get(e.getKey()), AggregationPolicy.AVG));
            }
            RECORDED.clear();
        }
        return results;
    }
}
