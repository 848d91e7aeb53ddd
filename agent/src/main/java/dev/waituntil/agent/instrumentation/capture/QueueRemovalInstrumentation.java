package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import java.util.concurrent.ThreadPoolExecutor;
import net.bytebuddy.asm.Advice;

/**
 * The ways an application takes a queued task out of a JDK thread pool other than {@code shutdownNow()}: the captured
 * task's record ends (cancelled, quietly: the application's choice) instead of staying pending until a drain's
 * deadline, and {@code remove} finds the task as it would without the agent.
 */
public final class QueueRemovalInstrumentation {

    private static final String EXECUTOR = "java.util.concurrent.ThreadPoolExecutor";

    private QueueRemovalInstrumentation() {}

    /** {@code ThreadPoolExecutor.remove(Runnable)}: given the application's task, the queue holds its wrapper. */
    public static final class Remove extends JdkMethodHookPoint {
        public Remove() {
            super(EXECUTOR, "remove", RemoveAdvice.class, Runnable.class);
        }
    }

    /** {@code ThreadPoolExecutor.purge()}: removes the queued futures that were cancelled. */
    public static final class Purge extends JdkMethodHookPoint {
        public Purge() {
            super(EXECUTOR, "purge", PurgeAdvice.class);
        }
    }

    public static final class RemoveAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This ThreadPoolExecutor executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            Runnable original = task;
            task = CaptureHooks.queuedAs(executor, task);
            return original;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(
                @Advice.Enter Runnable original, @Advice.Argument(0) Runnable removed, @Advice.Return boolean found) {
            CaptureHooks.removed(original, removed, found);
        }
    }

    public static final class PurgeAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This ThreadPoolExecutor executor) {
            CaptureHooks.purging(executor);
        }
    }
}
