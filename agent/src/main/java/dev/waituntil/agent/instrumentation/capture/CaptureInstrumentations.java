package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.agent.hook.HookPoint;
import java.util.Arrays;
import java.util.List;

/** The JDK's executors: work handed over in a request or a tracked task is captured ({@link ExecutorCapture}). */
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
                new ThreadPerTaskExecutorInstrumentation(),
                new CompletableFutureInstrumentation.RunStage(),
                new CompletableFutureInstrumentation.SupplyStage());
    }
}
