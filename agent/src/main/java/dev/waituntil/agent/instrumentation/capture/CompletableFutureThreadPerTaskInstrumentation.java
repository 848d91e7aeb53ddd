package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code CompletableFuture$ThreadPerTaskExecutor.execute(Runnable)}: where {@code CompletableFuture}'s async stages
 * go instead of the common pool when its parallelism is 1 (2 processors), up to JDK 24; a thread per task. JDK 25
 * has no such class (its stages use the common pool), and this hook point matches nothing there.
 */
public final class CompletableFutureThreadPerTaskInstrumentation extends JdkMethodHookPoint {

    public CompletableFutureThreadPerTaskInstrumentation() {
        super(
                "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor",
                "execute",
                ExecuteAdvice.class,
                Runnable.class);
    }

    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "CompletableFuture.ThreadPerTaskExecutor.execute");
            return task;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Runnable task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }
}
