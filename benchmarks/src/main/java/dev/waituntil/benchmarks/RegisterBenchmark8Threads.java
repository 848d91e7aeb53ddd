package dev.waituntil.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** {@link RegisterBenchmark} with 8 threads registering at once into one application. */
@Threads(8)
public class RegisterBenchmark8Threads extends RegisterBenchmark {}
