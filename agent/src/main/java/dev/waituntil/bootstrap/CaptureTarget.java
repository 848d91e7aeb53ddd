package dev.waituntil.bootstrap;

import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/** What the agent does for the capture hooks; implemented in the agent, installed into {@link CaptureHooks}. */
public interface CaptureTarget {

    /**
     * Work handed to {@code executor} by a thread inside a request or a tracked task ({@code context}).
     *
     * @param via how it was handed over, for its label: {@code ThreadPoolExecutor.execute}
     * @return {@code task} itself when it is not captured, else a {@link CapturedRunnable} that is pending from now
     *         until it has run
     */
    Runnable capture(Object executor, Runnable task, String via, RequestContext context);

    /** The same for a {@code Callable}: {@code task} itself, or a {@link CapturedCallable}. */
    <T> Callable<T> capture(Object executor, Callable<T> task, String via, RequestContext context);

    /** A captured task's run has ended; {@code failure} is what it threw, if anything. Must not throw. */
    void ended(Object record, Object task, Throwable failure);

    /** The executor refused a captured task: it will never run. */
    void rejected(Object record);

    /** The captured task of {@code record} completes {@code future}, which {@code runAsync} or {@code supplyAsync}
     * returns to the application. */
    void completes(Object record, Object future);

    /**
     * The application took a captured task back unrun ({@code shutdownNow()}, {@code remove}, a cancel and
     * {@code purge}): it will never run through the agent.
     *
     * @param why how, for the record's end
     */
    void notRun(Object record, String why);

    /**
     * {@code future}, which the executor made after the hand-over of the captured task of {@code record}, cancels that
     * task ({@code ThreadPerTaskExecutor.submit}): the drain's deadline cancels it through this future.
     */
    void cancelledThrough(Object record, Future<?> future);

    /**
     * {@code thread} is about to start, by a thread inside a request or a tracked task ({@code context}).
     *
     * @param via how it is started, for its label: {@code Thread.start}
     * @return the thread's record, pending from now until its run has ended, or null when it is not captured
     */
    Object captureThread(Thread thread, String via, RequestContext context);
}
