package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import net.bytebuddy.asm.Advice;

/**
 * Spring's {@code VirtualThreadTaskExecutor.execute(Runnable)}: a virtual thread per task, started from its own
 * thread factory, with no JDK executor behind it; its {@code submit} and {@code submitCompletable} come here.
 */
public final class VirtualThreadTaskExecutorInstrumentation extends SpringMethodHookPoint {

    static final String VIA = "VirtualThreadTaskExecutor.execute";

    public VirtualThreadTaskExecutorInstrumentation() {
        super(
                "org.springframework.core.task.VirtualThreadTaskExecutor",
                "execute",
                ExecuteAdvice.class,
                Runnable.class);
    }

    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "VirtualThreadTaskExecutor.execute");
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
