package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.agent.hook.HookPoint;
import java.util.Arrays;
import java.util.List;

/**
 * The JDK's executors, Spring's that start threads themselves, and the JDK's threads where asked: work handed
 * over in a request or a tracked task is captured ({@link ExecutorCapture}).
 */
public final class CaptureInstrumentations {

    private CaptureInstrumentations() {}

    public static List<HookPoint> hookPoints() {
        return Arrays.<HookPoint>asList(
                new ThreadPoolExecutorInstrumentation(),
                new ShutdownNowInstrumentation(),
                new QueueRemovalInstrumentation.Remove(),
                new QueueRemovalInstrumentation.Purge(),
                new RejectionPolicyInstrumentation.Discard(),
                new RejectionPolicyInstrumentation.CallerRuns(),
                new RejectionPolicyInstrumentation.DiscardOldest(),
                new ForkJoinPoolInstrumentation.Execute(),
                new ForkJoinPoolInstrumentation.SubmitRunnable(),
                new ForkJoinPoolInstrumentation.SubmitRunnableWithResult(),
                new ForkJoinPoolInstrumentation.SubmitCallable(),
                new CompletableFutureThreadPerTaskInstrumentation(),
                new CompletableFutureInstrumentation.RunStage(),
                new CompletableFutureInstrumentation.SupplyStage(),
                new ThreadPerTaskExecutorInstrumentation.Execute(),
                new ThreadPerTaskExecutorInstrumentation.SubmitCallable(),
                new SimpleAsyncTaskExecutorInstrumentation(),
                new VirtualThreadTaskExecutorInstrumentation());
    }

    /** {@code Thread.start()} and the end of a thread: only with {@code waituntil.capture=executors,threads}. */
    public static List<HookPoint> threadHookPoints() {
        return Arrays.<HookPoint>asList(
                new ThreadInstrumentation.Start(),
                new ThreadInstrumentation.Exit(),
                new ThreadInstrumentation.Uncaught(),
                new ThreadInstrumentation.VirtualStart(),
                new ThreadInstrumentation.VirtualRun());
    }
}
