package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.bootstrap.CaptureHooks;
import net.bytebuddy.asm.Advice;

/**
 * {@code Thread.start()} with {@code waituntil.capture=executors,threads}: a thread started in a request or a tracked
 * task is a task of that request from its start until its run has ended. {@code java.lang.Thread} is loaded before
 * any agent, so no field can be added to it: the capture is kept in a weak map by thread, which the thread itself
 * reads when it first looks at its context (so whatever its {@code run()} hands over is captured for the same
 * request) and which its end clears. The end is {@code Thread.exit()}, which the JVM calls on every platform thread
 * as it terminates, after the uncaught exception handler (JDK 8 to 25): it covers subclasses that override
 * {@code run()}, which an advice on {@code Thread.run()} would not. A virtual thread (JDK 21 and later) starts through
 * {@code VirtualThread.start()} and ends with its private {@code run(Runnable)}; these match nothing before JDK 21.
 */
public final class ThreadInstrumentation {

    private static final String THREAD = "java.lang.Thread";
    private static final String VIRTUAL_THREAD = "java.lang.VirtualThread";

    private ThreadInstrumentation() {}

    /** {@code Thread.start()}: the platform threads; a subclass that overrides it is captured if it calls it. */
    public static final class Start extends JdkMethodHookPoint {
        public Start() {
            super(THREAD, "start", StartAdvice.class);
        }
    }

    /** {@code VirtualThread.start()}, behind {@code Thread.ofVirtual().start(task)} and {@code startVirtualThread}. */
    public static final class VirtualStart extends JdkMethodHookPoint {
        public VirtualStart() {
            super(VIRTUAL_THREAD, "start", VirtualStartAdvice.class);
        }
    }

    /** {@code Thread.exit()}, private, called by the JVM as a platform thread terminates. */
    public static final class Exit extends JdkMethodHookPoint {
        public Exit() {
            super(THREAD, "exit", ExitAdvice.class);
        }
    }

    /** {@code VirtualThread.run(Runnable)}, private: a virtual thread's whole run. */
    public static final class VirtualRun extends JdkMethodHookPoint {
        public VirtualRun() {
            super(VIRTUAL_THREAD, "run", EndAdvice.class, Runnable.class);
        }
    }

    /** {@code Thread.dispatchUncaughtException(Throwable)}: how a thread's run failed, for its end. */
    public static final class Uncaught extends JdkMethodHookPoint {
        public Uncaught() {
            super(THREAD, "dispatchUncaughtException", UncaughtAdvice.class, Throwable.class);
        }
    }

    public static final class StartAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Thread thread) {
            return CaptureHooks.threadStarting(thread, "Thread.start");
        }

        /** Refused ({@code IllegalThreadStateException}, no native thread): it will never run. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Thread thread, @Advice.Enter Object captured, @Advice.Thrown Throwable thrown) {
            CaptureHooks.threadStarted(thread, captured, thrown);
        }
    }

    public static final class VirtualStartAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.This Thread thread) {
            return CaptureHooks.threadStarting(thread, "VirtualThread.start");
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Thread thread, @Advice.Enter Object captured, @Advice.Thrown Throwable thrown) {
            CaptureHooks.threadStarted(thread, captured, thrown);
        }
    }

    /** On entry, before the thread's own clean-up (its thread-locals) runs. */
    public static final class ExitAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Thread thread) {
            CaptureHooks.threadEnded(thread);
        }
    }

    public static final class EndAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Thread thread) {
            CaptureHooks.threadEnded(thread);
        }
    }

    public static final class UncaughtAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Thread thread, @Advice.Argument(0) Throwable failure) {
            CaptureHooks.threadFailed(thread, failure);
        }
    }
}
