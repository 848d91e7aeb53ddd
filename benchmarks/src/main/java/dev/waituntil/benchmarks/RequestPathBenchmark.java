package dev.waituntil.benchmarks;

import dev.waituntil.benchmarks.servlet.HelloServlet;
import dev.waituntil.benchmarks.servlet.MinimalRequest;
import dev.waituntil.benchmarks.servlet.MinimalResponse;
import dev.waituntil.benchmarks.servlet.RequestScopeProbe;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code HttpServlet.service()} of a trivial servlet, instrumented (forks with the agent)
 * against the same servlet uninstrumented (forks without it). {@link BenchmarkMain} runs this class in both.
 *
 * <ul>
 *   <li>{@link #nothing}: a GET that registers nothing. Budget: at most 20 ns and 0 bytes added.</li>
 *   <li>{@link #oneTask}: a POST that registers one {@code CompletableFuture}, completed once {@code service}
 *       has returned. Without the agent the API runs in standalone mode, which tracks the task in-process.</li>
 * </ul>
 *
 * The thread's context class loader is a loader of its own, as a container sets it to the web application's
 * while serving it: the agent's request scope finds the application by it.
 */
@Agent(Agent.Forks.WITH_AND_WITHOUT)
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class RequestPathBenchmark {

    private final HelloServlet servlet = new HelloServlet();
    private final MinimalRequest get = new MinimalRequest("GET", "/shop", "/shop/hello");
    private final MinimalRequest post = new MinimalRequest("POST", "/shop", "/shop/order");
    private final MinimalResponse response = new MinimalResponse();
    private final ClassLoader application =
            new URLClassLoader(new URL[0], RequestPathBenchmark.class.getClassLoader()) {
                @Override
                public String toString() {
                    return "benchmark web application";
                }
            };
    private ClassLoader before;

    @Setup(Level.Iteration)
    public void enterApplication() throws Exception {
        before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(application);
        boolean agent = RequestScopeProbe.checkAgent();
        servlet.probe = true;
        servlet.service(get, response);
        servlet.probe = false;
        if (servlet.sawRequestScope != agent) {
            throw new IllegalStateException("HttpServlet.service is " + (servlet.sawRequestScope ? "" : "not ")
                    + "instrumented, but the agent is " + (agent ? "" : "not ") + "attached");
        }
    }

    @TearDown(Level.Iteration)
    public void leaveApplication() {
        Thread.currentThread().setContextClassLoader(before);
    }

    /** A request that registers nothing. */
    @Benchmark
    public int nothing() throws Exception {
        servlet.service(get, response);
        return response.getStatus();
    }

    /** A request that registers one task; the task completes after the response. */
    @Benchmark
    public int oneTask() throws Exception {
        servlet.service(post, response);
        servlet.lastTask.complete(null);
        return response.getStatus();
    }
}
