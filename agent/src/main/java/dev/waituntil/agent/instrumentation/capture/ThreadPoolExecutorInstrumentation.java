package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code ThreadPoolExecutor.execute(Runnable)}: every hand-over to a JDK thread pool, and to the pools of
 * {@code Executors}' factories, whose {@code submit}, {@code invokeAll} and {@code invokeAny} come here through
 * {@code AbstractExecutorService}. {@code ScheduledThreadPoolExecutor} schedules instead, and is never captured.
 */
public final class ThreadPoolExecutorInstrumentation extends JdkMethodHookPoint {

    static final String VIA = "ThreadPoolExecutor.execute";

    public ThreadPoolExecutorInstrumentation() {
        super("java.util.concurrent.ThreadPoolExecutor", "execute", ExecuteAdvice.class, Runnable.class);
    }

    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "ThreadPoolExecutor.execute");
            return task;
        }

        /** Refused (a full queue, a pool shut down): the task will never run. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Runnable task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }
}
