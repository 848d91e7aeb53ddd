package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import net.bytebuddy.asm.Advice;

/**
 * {@code CompletableFuture.asyncRunStage} and {@code asyncSupplyStage}, behind {@code runAsync} and
 * {@code supplyAsync} with or without an executor: they hand the task over, which the executor's own hook point
 * captures, and return the future that task completes. Linking the two lets a registration of that future adopt the
 * captured work, so that it counts once.
 *
 * <p>The return value is the future, with no access to the JDK's private fields: reading the task's {@code dep}
 * would need {@code java.util.concurrent} opened to the agent. Both methods are the same from JDK 8 to 25.
 */
public final class CompletableFutureInstrumentation {

    private static final String FUTURE = "java.util.concurrent.CompletableFuture";

    private CompletableFutureInstrumentation() {}

    /** {@code CompletableFuture.asyncRunStage(Executor, Runnable)}. */
    public static final class RunStage extends JdkMethodHookPoint {
        public RunStage() {
            super(FUTURE, "asyncRunStage", StageAdvice.class, Executor.class, Runnable.class);
        }
    }

    /** {@code CompletableFuture.asyncSupplyStage(Executor, Supplier)}. */
    public static final class SupplyStage extends JdkMethodHookPoint {
        public SupplyStage() {
            super(FUTURE, "asyncSupplyStage", StageAdvice.class, Executor.class, Supplier.class);
        }
    }

    public static final class StageAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter() {
            return CaptureHooks.asyncStageEntered();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object entered, @Advice.Return Object future) {
            CaptureHooks.asyncStageExited(entered, future);
        }
    }
}
