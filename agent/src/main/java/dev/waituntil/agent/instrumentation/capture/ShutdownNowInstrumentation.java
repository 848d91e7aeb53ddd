package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * {@code ThreadPoolExecutor.shutdownNow()}: the queued tasks it returns are the application's own, as without the
 * agent, for code that casts them back to its task type or runs them itself; their records end, not run.
 */
public final class ShutdownNowInstrumentation extends JdkMethodHookPoint {

    public ShutdownNowInstrumentation() {
        super("java.util.concurrent.ThreadPoolExecutor", "shutdownNow", ExitAdvice.class);
    }

    public static final class ExitAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return List<Runnable> unrun) {
            CaptureHooks.shutdownNow(unrun);
        }
    }
}
