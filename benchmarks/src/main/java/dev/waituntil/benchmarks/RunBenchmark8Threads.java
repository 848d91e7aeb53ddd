package dev.waituntil.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** {@link RunBenchmark} with 8 threads handing over tasks at once. */
@Threads(8)
public class RunBenchmark8Threads extends RunBenchmark {}
