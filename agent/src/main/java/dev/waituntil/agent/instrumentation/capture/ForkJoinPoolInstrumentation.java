package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;

/**
 * {@code ForkJoinPool}'s submissions from outside the pool's computations: {@code execute(Runnable)}, through which
 * {@code CompletableFuture}'s async stages reach the common pool, and {@code submit} of a {@code Runnable} or a
 * {@code Callable}. Not its {@code invoke} and {@code invokeAll}, which wait for the work, nor the overloads that take
 * a {@code ForkJoinTask}: a fork/join computation, which the caller gets back as its own future.
 */
public final class ForkJoinPoolInstrumentation {

    private static final String POOL = "java.util.concurrent.ForkJoinPool";

    private ForkJoinPoolInstrumentation() {}

    /** {@code ForkJoinPool.execute(Runnable)}. */
    public static final class Execute extends JdkMethodHookPoint {
        public Execute() {
            super(POOL, "execute", ExecuteAdvice.class, Runnable.class);
        }
    }

    /** {@code ForkJoinPool.submit(Runnable)}. */
    public static final class SubmitRunnable extends JdkMethodHookPoint {
        public SubmitRunnable() {
            super(POOL, "submit", SubmitAdvice.class, Runnable.class);
        }
    }

    /** {@code ForkJoinPool.submit(Runnable, T)}. */
    public static final class SubmitRunnableWithResult extends JdkMethodHookPoint {
        public SubmitRunnableWithResult() {
            super(POOL, "submit", SubmitAdvice.class, Runnable.class, Object.class);
        }
    }

    /** {@code ForkJoinPool.submit(Callable)}. */
    public static final class SubmitCallable extends JdkMethodHookPoint {
        public SubmitCallable() {
            super(POOL, "submit", SubmitCallableAdvice.class, Callable.class);
        }
    }

    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "ForkJoinPool.execute");
            return task;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Runnable task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }

    public static final class SubmitAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "ForkJoinPool.submit");
            return task;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Runnable task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }

    public static final class SubmitCallableAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Callable<?> enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = CaptureHooks.capture(executor, task, "ForkJoinPool.submit");
            return task;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Callable<?> task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }
}
