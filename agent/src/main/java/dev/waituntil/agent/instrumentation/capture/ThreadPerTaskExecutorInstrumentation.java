package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import net.bytebuddy.asm.Advice;

/**
 * {@code java.util.concurrent.ThreadPerTaskExecutor} (JDK 21 and later), which
 * {@code Executors.newVirtualThreadPerTaskExecutor()} and {@code newThreadPerTaskExecutor(factory)} make: a thread
 * per task. Its {@code execute(Runnable)}, and its {@code submit(Callable)}, where its other {@code submit}s and
 * {@code invokeAll} go (through {@code Executors.callable}). It starts its threads through the JDK's internal
 * {@code Thread.start(ThreadContainer)}, not {@code Thread.start()}, so they are never captured as threads too. Not its
 * {@code invokeAny}, which waits for the work and starts its threads without {@code execute}. The class does not exist
 * before JDK 21, where these hook points match nothing.
 */
public final class ThreadPerTaskExecutorInstrumentation {

    private static final String EXECUTOR = "java.util.concurrent.ThreadPerTaskExecutor";

    private ThreadPerTaskExecutorInstrumentation() {}

    /** {@code ThreadPerTaskExecutor.execute(Runnable)}. */
    public static final class Execute extends JdkMethodHookPoint {
        public Execute() {
            super(EXECUTOR, "execute", ExecuteAdvice.class, Runnable.class);
        }
    }

    /** {@code ThreadPerTaskExecutor.submit(Callable)}. */
    public static final class SubmitCallable extends JdkMethodHookPoint {
        public SubmitCallable() {
            super(EXECUTOR, "submit", SubmitAdvice.class, Callable.class);
        }
    }

    public static final class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Runnable enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = CaptureHooks.capture(executor, task, "ThreadPerTaskExecutor.execute");
            return task;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Runnable task, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            }
        }
    }

    /**
     * The future that {@code submit} returns is made after the hand-over: its thread's task. It is what cancels the
     * work at a drain's deadline (it interrupts the thread), so the capture learns of it on the way out.
     */
    public static final class SubmitAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Callable<?> enter(
                @Advice.This Object executor, @Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
            task = CaptureHooks.capture(executor, task, "ThreadPerTaskExecutor.submit");
            return task;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(
                @Advice.Enter Callable<?> task, @Advice.Return Future<?> future, @Advice.Thrown Throwable thrown) {
            if (thrown != null) {
                CaptureHooks.rejected(task);
            } else {
                CaptureHooks.cancelledThrough(task, future);
            }
        }
    }
}
