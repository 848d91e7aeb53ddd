package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import java.util.concurrent.ThreadPoolExecutor;
import net.bytebuddy.asm.Advice;

/**
 * The JDK's rejection policies that drop a captured task without an exception, so that its record ends (rejected)
 * instead of staying pending until a drain's deadline. {@code AbortPolicy} throws, which the {@code execute} hook
 * sees already. A policy of the application's own that drops the task is not seen.
 */
public final class RejectionPolicyInstrumentation {

    private static final String EXECUTOR = "java.util.concurrent.ThreadPoolExecutor$";

    private RejectionPolicyInstrumentation() {}

    /** {@code DiscardPolicy.rejectedExecution}: drops the task. */
    public static final class Discard extends JdkMethodHookPoint {
        public Discard() {
            super(
                    EXECUTOR + "DiscardPolicy",
                    "rejectedExecution",
                    DiscardedAdvice.class,
                    Runnable.class,
                    ThreadPoolExecutor.class);
        }
    }

    /** {@code CallerRunsPolicy.rejectedExecution}: runs the task, or drops it once the pool is shut down. */
    public static final class CallerRuns extends JdkMethodHookPoint {
        public CallerRuns() {
            super(
                    EXECUTOR + "CallerRunsPolicy",
                    "rejectedExecution",
                    DiscardedAdvice.class,
                    Runnable.class,
                    ThreadPoolExecutor.class);
        }
    }

    /**
     * {@code DiscardOldestPolicy.rejectedExecution}: drops the oldest queued task, which only its body sees, and hands
     * the new one over again; or drops the new one once the pool is shut down.
     */
    public static final class DiscardOldest extends JdkMethodHookPoint {
        public DiscardOldest() {
            super(
                    EXECUTOR + "DiscardOldestPolicy",
                    "rejectedExecution",
                    DiscardOldestAdvice.class,
                    Runnable.class,
                    ThreadPoolExecutor.class);
        }
    }

    public static final class DiscardedAdvice {
        /** A task the policy ran has run already: only one it dropped ends here. */
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Runnable task) {
            CaptureHooks.discarded(task);
        }
    }

    public static final class DiscardOldestAdvice {
        /**
         * Not suppressed: the replacement body hands the task to the pool again, whose rejection must reach the
         * caller as it does from the JDK's body; the agent's own part never throws.
         */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.Argument(0) Runnable task, @Advice.Argument(1) ThreadPoolExecutor executor) {
            return CaptureHooks.discardOldest(task, executor);
        }
    }
}
