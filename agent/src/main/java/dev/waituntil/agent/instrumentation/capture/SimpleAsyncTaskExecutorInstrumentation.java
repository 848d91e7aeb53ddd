package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import net.bytebuddy.asm.Advice;

/**
 * Spring's {@code SimpleAsyncTaskExecutor.doExecute(Runnable)}: the one place where it starts a thread for a task,
 * platform or virtual, whichever of {@code execute}, {@code submit}, {@code submitCompletable} or an {@code @Async}
 * method it came from. Here the task is what the thread will run: its {@code TaskDecorator} has decorated it and its
 * concurrency limit has let it through, so a task refused by the limit is never captured. Spring Boot's executor
 * with virtual threads, the fallback of {@code @Async} without an executor bean, and {@code SimpleAsyncTaskScheduler}
 * without a target executor all start their threads here; a subclass that hands the task to another executor instead
 * is captured by that executor's hook point.
 */
public final class SimpleAsyncTaskExecutorInstrumentation extends SpringMethodHookPoint {

    static final String VIA = "SimpleAsyncTaskExecutor.execute";

    public SimpleAsyncTaskExecutorInstrumentation() {
        super(
                "org.springframework.core.task.SimpleAsyncTaskExecutor",
                "doExecute",
                ExecuteAdvice.class,
                Runnable.class);
    }

    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "SimpleAsyncTaskExecutor.execute");
            return task;
        }

        /** No thread could be started for the task: it will never run. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Runnable task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }
}
