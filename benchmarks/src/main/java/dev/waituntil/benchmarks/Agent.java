package dev.waituntil.benchmarks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which forks of a benchmark class get {@code -javaagent:wait-until-agent.jar}. {@link BenchmarkMain} reads it:
 * JMH's own {@code @Fork(jvmArgsAppend = ...)} cannot name the agent jar, whose path is known only at run time.
 */
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Agent {

    Forks value();

    enum Forks {
        /** Every fork runs with the agent: the benchmark needs it, or compares against a baseline in the same JVM. */
        WITH,
        /** Run twice, once in forks without the agent (the baseline) and once in forks with it. */
        WITH_AND_WITHOUT
    }
}
