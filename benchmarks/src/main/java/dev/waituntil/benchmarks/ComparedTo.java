package dev.waituntil.benchmarks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The baselines of a benchmark method: methods of the same class, measured in the same run, against which
 * {@link BenchmarkMain}'s summary gives the difference and the ratio.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ComparedTo {

    String[] value();
}
