package dev.waituntil.benchmarks.server;

import java.util.Arrays;
import java.util.List;

/** Medians and spreads of small samples. */
public final class Stats {

    private Stats() {}

    public static double median(List<Double> values) {
        double[] v = sorted(values);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    public static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    public static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The sample standard deviation. */
    public static double stdev(List<Double> values) {
        double m = mean(values);
        int n = values.size();
        if (n < 2) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : values) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (n - 1));
    }

    /** The {@code q} quantile (0..1), linear between the two nearest ranks. */
    public static double quantile(List<Double> values, double q) {
        double[] v = sorted(values);
        if (v.length == 0) {
            return Double.NaN;
        }
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }

    private static double[] sorted(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v;
    }
}
