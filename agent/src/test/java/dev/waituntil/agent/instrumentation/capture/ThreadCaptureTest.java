package dev.waituntil.agent.instrumentation.capture;

import static dev.waituntil.agent.instrumentation.capture.ExecutorCaptureTest.await;
import static dev.waituntil.agent.instrumentation.capture.ExecutorCaptureTest.labels;
import static dev.waituntil.agent.instrumentation.capture.ExecutorCaptureTest.releaseLater;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.TestConfigs;
import dev.waituntil.agent.hook.HookPoint;
import dev.waituntil.agent.instrumentation.Instrumenter;
import dev.waituntil.agent.runtime.DrainReport;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code Thread.start()} with {@code waituntil.capture=executors,threads}, and the thread-per-task executors of JDK 21
 * and later, captured as the agent captures them, in the JVM and with the hook points that {@link ExecutorCaptureTest}
 * installs (the same surefire execution). The JDK 21 tests skip on older JDKs; the agent's build runs them on JDK 25
 * where one is installed.
 */
class ThreadCaptureTest {

    private static final Config THREADS = TestConfigs.of("capture=executors,threads");

    private final List<ExecutorService> pools = new ArrayList<>();
    private final ClassLoader shop = new URLClassLoader(new URL[0], getClass().getClassLoader());

    @BeforeAll
    static void installTheAgentsCapture() throws Exception {
        ExecutorCaptureTest.installTheAgentsCapture();
    }

    @AfterEach
    void stopPoolsAndRestoreTheDefaults() throws InterruptedException {
        ExecutorCaptureTest.install(Config.defaults());
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    private static TaskRuntime runtime() {
        return ExecutorCaptureTest.runtime;
    }

    @Test
    void aThreadStartedInARequestIsPendingUntilItHasEndedAndADrainWaitsForIt() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ran = new AtomicBoolean();
        long registered = runtime().registeredCount();
        long completed = runtime().completedCount();

        serve(
                "GET",
                "/shop/report",
                () -> new Thread(() -> {
                            await(release);
                            ran.set(true);
                        })
                        .start());

        Scope scope = runtime().scopeOf(shop);
        assertEquals(List.of("Thread.start from GET /shop/report"), labels(scope));
        assertEquals(registered + 1, runtime().registeredCount(), "counted once");
        releaseLater(release);
        DrainReport report = runtime().drainApplication(scope);
        assertTrue(ran.get(), "the drain returned before the thread's run had ended: " + report);
        assertFalse(report.timedOut(), report.toString());
        assertEquals(0, runtime().pending(scope));
        assertEquals(completed + 1, runtime().completedCount());
    }

    @Test
    void aThreadStartedTwiceCountsOnceAndStillEnds() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        CountDownLatch release = new CountDownLatch(1);
        long registered = runtime().registeredCount();
        long rejected = runtime().rejectedCount();

        serve("GET", "/shop/twice", () -> {
            Thread thread = new Thread(() -> await(release));
            thread.start();
            assertThrows(IllegalThreadStateException.class, thread::start);
        });

        Scope scope = runtime().scopeOf(shop);
        assertEquals(List.of("Thread.start from GET /shop/twice"), labels(scope));
        assertEquals(registered + 1, runtime().registeredCount());
        assertEquals(rejected, runtime().rejectedCount(), "the thread that runs was not refused");
        releaseLater(release);
        assertFalse(runtime().drainApplication(scope).timedOut(), "the running thread's record still ends");
    }

    /** The default, {@code executors}: the hook points on {@code Thread} are not installed, and nothing is tracked. */
    @Test
    void withoutThreadsAThreadIsNotTrackedAndItsHookPointsAreNotInstalled() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        long registered = runtime().registeredCount();

        serve("GET", "/shop/plain", () -> new Thread(ran::countDown).start());

        await(ran);
        assertEquals(registered, runtime().registeredCount());
        assertEquals(List.of(), threadHookPoints(Config.defaults()));
        assertEquals(
                List.of(
                        "java.lang.Thread.start()",
                        "java.lang.Thread.exit()",
                        "java.lang.Thread.dispatchUncaughtException(Throwable)",
                        "java.lang.VirtualThread.start()",
                        "java.lang.VirtualThread.run(Runnable)"),
                threadHookPoints(THREADS));
        assertEquals(List.of(), threadHookPoints(TestConfigs.of("capture=executors,threads", "capture=none")));
    }

    private static List<String> threadHookPoints(Config config) {
        return Instrumenter.hookPoints(config).stream()
                .map(HookPoint::name)
                .filter(name -> name.startsWith("java.lang."))
                .collect(Collectors.toList());
    }

    @Test
    void aThreadStartedOutsideARequestIsNotTracked() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        CountDownLatch ran = new CountDownLatch(1);
        long registered = runtime().registeredCount();

        Thread thread = new Thread(ran::countDown);
        thread.start();

        await(ran);
        thread.join();
        assertEquals(registered, runtime().registeredCount());
    }

    /**
     * A pool starts its worker threads lazily, in the request that first hands it work: the worker lives as long as
     * the pool, and is not the request's task; the work is, once.
     */
    @Test
    void theThreadsThatPoolsStartForCapturedWorkAreNotTasksOfTheirOwn() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<Runnable>()));
        ExecutorService forkJoin = pool(new ForkJoinPool(1));
        CountDownLatch release = new CountDownLatch(1);
        long registered = runtime().registeredCount();

        serve("GET", "/shop/pools", () -> {
            pool.execute(() -> await(release));
            forkJoin.execute(() -> await(release));
        });

        assertEquals(1, pool.getPoolSize(), "the worker was started in the request");
        Scope scope = runtime().scopeOf(shop);
        assertEquals(
                List.of("ForkJoinPool.execute from GET /shop/pools", "ThreadPoolExecutor.execute from GET /shop/pools"),
                labels(scope));
        assertEquals(registered + 2, runtime().registeredCount());
        releaseLater(release);
        assertFalse(runtime().drainApplication(scope).timedOut(), "the pools' workers live on, and are not waited for");
        assertEquals(0, runtime().pending(scope));
    }

    @Test
    void aThreadWhoseRunThrowsIsCountedFailedAndItsHandlerStillSeesTheFailure() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        long failed = runtime().failedCount();
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicReference<Throwable> handled = new AtomicReference<>();
        AtomicReference<Thread> thread = new AtomicReference<>();

        serve("POST", "/shop/fail", () -> {
            Thread failing = new Thread(() -> {
                throw boom;
            });
            failing.setUncaughtExceptionHandler((t, e) -> handled.set(e));
            thread.set(failing);
            failing.start();
        });

        thread.get().join(TimeUnit.SECONDS.toMillis(60));
        Scope scope = runtime().scopeOf(shop);
        assertFalse(runtime().drainApplication(scope).timedOut());
        assertEquals(0, runtime().pending(scope));
        assertEquals(failed + 1, runtime().failedCount());
        assertSame(boom, handled.get(), "the application's handler ran, as without the agent");
    }

    /** A thread has no future: at the deadline a drain names it and goes on; the thread is not interrupted. */
    @Test
    void aThreadStillRunningAtTheDeadlineIsNamedNotInterrupted() throws Exception {
        TaskRuntime impatient = new TaskRuntime(TestConfigs.of("drain.timeout=1s", "drain.cancel=true"));
        CaptureTargets.install(impatient);
        CaptureTargets.capture(impatient, THREADS);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        try {
            serve("GET", "/shop/slow", () -> {
                thread.set(new Thread(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                }));
                thread.get().start();
            });

            Scope scope = impatient.scopeOf(shop);
            DrainReport report = impatient.drainApplication(scope);
            assertTrue(report.timedOut(), report.toString());
            assertTrue(
                    String.join(" ", report.leftPending()).contains("Thread.start from GET /shop/slow"),
                    report.leftPending().toString());
        } finally {
            release.countDown();
            CaptureTargets.install(runtime());
            CaptureTargets.capture(runtime(), Config.defaults());
        }
        thread.get().join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(interrupted.get(), "a thread is not cancellable: it was interrupted");
    }

    /**
     * What a captured thread hands on is captured for the same request, whatever its {@code run()}: one given a
     * runnable, and a subclass that overrides {@code run()}.
     */
    @Test
    void workThatACapturedThreadHandsOnIsCapturedForTheSameRequest() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        ExecutorService pool = pool(Executors.newFixedThreadPool(2));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handedOn = new CountDownLatch(2);

        serve("PUT", "/shop/nested", () -> {
            new Thread(() -> {
                        pool.execute(() -> await(release));
                        handedOn.countDown();
                    })
                    .start();
            new Thread() {
                @Override
                public void run() {
                    pool.submit(() -> await(release));
                    handedOn.countDown();
                }
            }.start();
        });

        await(handedOn);
        Scope scope = runtime().scopeOf(shop);
        List<String> labels = labels(scope);
        assertTrue(
                labels.containsAll(List.of(
                        "ThreadPoolExecutor.execute from PUT /shop/nested",
                        "ThreadPoolExecutor.submit from PUT /shop/nested")),
                labels.toString());
        releaseLater(release);
        assertFalse(runtime().drainApplication(scope).timedOut());
        assertEquals(0, runtime().pending(scope));
    }

    /** Threads that the JDK starts, lazily, in a request: its timers, its pools' workers, its system threads. */
    @Test
    void theJdksOwnThreadsAreNeverCaptured() throws Exception {
        ExecutorCaptureTest.install(THREADS);
        long registered = runtime().registeredCount();
        AtomicReference<java.util.Timer> timer = new AtomicReference<>();
        ExecutorService scheduled = pool(Executors.newScheduledThreadPool(1));
        CountDownLatch ran = new CountDownLatch(1);

        serve("GET", "/shop/timer", () -> {
            timer.set(new java.util.Timer(true));
            ((java.util.concurrent.ScheduledExecutorService) scheduled)
                    .schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);
        });

        await(ran);
        timer.get().cancel();
        assertEquals(registered, runtime().registeredCount(), "the timer's thread, the scheduled pool's worker");
    }

    @Test
    void theExcludedPrefixesAreNeverCapturedWhetherThreadClassOrStarter() throws Exception {
        ExecutorCaptureTest.install(TestConfigs.of(
                "capture=executors,threads",
                "capture.exclude=" + ExcludedThread.class.getName() + "," + ExcludedStarter.class.getName()));
        CountDownLatch ran = new CountDownLatch(2);
        long registered = runtime().registeredCount();

        serve("GET", "/shop/excluded", () -> {
            new ExcludedThread(ran).start();
            ExcludedStarter.start(ran::countDown);
        });

        await(ran);
        assertEquals(registered, runtime().registeredCount());
    }

    @Test
    void aCapturedThreadPinsNoApplicationClassLoaderOnceItHasEnded() throws Exception {
        ExecutorCaptureTest.install(THREADS);

        WeakReference<ClassLoader> gone = startAndForget();

        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(gone.get(), "the application's class loader is still reachable after its captured thread ended");
    }

    private WeakReference<ClassLoader> startAndForget() throws Exception {
        URL testClasses =
                ThreadCaptureTest.class.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader application = new URLClassLoader(new URL[] {testClasses}, null);
        Runnable task = (Runnable) application
                .loadClass(ExecutorCaptureTest.ApplicationTask.class.getName())
                .getDeclaredConstructor()
                .newInstance();
        long registered = runtime().registeredCount();
        AtomicReference<Thread> thread = new AtomicReference<>();

        // The thread inherits the request's context class loader, the application's, as it would in a container.
        ExecutorCaptureTest.serve(application, "GET", "/gone/thread", () -> {
            thread.set(new Thread(task));
            thread.get().start();
        });

        thread.get().join(TimeUnit.SECONDS.toMillis(60));
        assertEquals(registered + 1, runtime().registeredCount(), "captured");
        assertFalse(runtime().drainApplication(runtime().scopeOf(application)).timedOut());
        return new WeakReference<>(application);
    }

    // ------------------------------------------------------------------------------------------- JDK 21 and later

    @Test
    void aVirtualThreadStartedInARequestIsPendingUntilItHasEnded() throws Exception {
        assumeJdk21();
        ExecutorCaptureTest.install(THREADS);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handedOn = new CountDownLatch(1);
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        AtomicBoolean ran = new AtomicBoolean();

        serve(
                "GET",
                "/shop/virtual",
                () -> startVirtualThread(() -> {
                    pool.execute(() -> await(release));
                    handedOn.countDown();
                    await(release);
                    ran.set(true);
                }));

        await(handedOn);
        Scope scope = runtime().scopeOf(shop);
        assertEquals(
                List.of(
                        "ThreadPoolExecutor.execute from GET /shop/virtual",
                        "VirtualThread.start from GET /shop/virtual"),
                labels(scope));
        releaseLater(release);
        assertFalse(runtime().drainApplication(scope).timedOut());
        assertTrue(ran.get(), "the drain returned before the virtual thread had ended");
        assertEquals(0, runtime().pending(scope));
    }

    /**
     * A virtual thread's scheduler, a {@code ForkJoinPool}, is given its continuation at its start and at every
     * unpark: the scheduling of the application's thread, never captured, with {@code threads} or without.
     */
    @Test
    void withExecutorsOnlyAVirtualThreadAndItsSchedulingAreNotCaptured() throws Exception {
        assumeJdk21();
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        long registered = runtime().registeredCount();

        serve(
                "GET",
                "/shop/unpark",
                () -> startVirtualThread(() -> {
                    parked.countDown();
                    await(release);
                    ended.countDown();
                }));
        await(parked);
        serve("GET", "/shop/unpark", release::countDown); // unparks it, from a request

        await(ended);
        assertEquals(registered, runtime().registeredCount());
        assertEquals(List.of(), labels(runtime().scopeOf(shop)));
    }

    @Test
    void workHandedToTheVirtualThreadPerTaskExecutorIsPendingUntilItHasRun() throws Exception {
        assumeJdk21();
        ExecutorService executor = pool(newVirtualThreadPerTaskExecutor());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(3);
        List<Future<?>> futures = new ArrayList<>();
        long registered = runtime().registeredCount();

        serve("GET", "/shop/loom", () -> {
            executor.execute(() -> {
                await(release);
                ran.countDown();
            });
            futures.add(executor.submit(() -> {
                await(release);
                ran.countDown();
            }));
            futures.add(executor.submit((Callable<String>) () -> {
                await(release);
                ran.countDown();
                return "called";
            }));
        });

        Scope scope = runtime().scopeOf(shop);
        assertEquals(
                List.of(
                        "ThreadPerTaskExecutor.execute from GET /shop/loom",
                        "ThreadPerTaskExecutor.submit from GET /shop/loom",
                        "ThreadPerTaskExecutor.submit from GET /shop/loom"),
                labels(scope));
        assertEquals(registered + 3, runtime().registeredCount(), "each once");
        releaseLater(release);
        DrainReport report = runtime().drainApplication(scope);
        assertFalse(report.timedOut(), report.toString());
        // The task's own code has run; submit's future completes a moment after, as its callable returns.
        assertEquals(0, ran.getCount(), "the drain returned before the work had run");
        assertEquals("called", futures.get(1).get());
        assertEquals(0, runtime().pending(scope));
    }

    /** Its threads start through the JDK's internal start, not {@code Thread.start()}: the work counts once. */
    @Test
    void withThreadsTheThreadPerTaskExecutorsWorkStillCountsOnce() throws Exception {
        assumeJdk21();
        ExecutorCaptureTest.install(THREADS);
        ExecutorService executor = pool(newVirtualThreadPerTaskExecutor());
        ExecutorService platform = pool(newThreadPerTaskExecutor(Executors.defaultThreadFactory()));
        CountDownLatch release = new CountDownLatch(1);
        long registered = runtime().registeredCount();

        serve("GET", "/shop/once", () -> {
            executor.execute(() -> await(release));
            platform.submit(() -> await(release));
        });

        Scope scope = runtime().scopeOf(shop);
        assertEquals(
                List.of(
                        "ThreadPerTaskExecutor.execute from GET /shop/once",
                        "ThreadPerTaskExecutor.submit from GET /shop/once"),
                labels(scope));
        assertEquals(registered + 2, runtime().registeredCount());
        releaseLater(release);
        assertFalse(runtime().drainApplication(scope).timedOut());
    }

    /** At the deadline, a drain cancels what {@code submit} handed over through its future, which interrupts it. */
    @Test
    void submittedWorkIsCancelledAtTheDeadlineThroughItsFuture() throws Exception {
        assumeJdk21();
        TaskRuntime impatient = new TaskRuntime(TestConfigs.of("drain.timeout=1s", "drain.cancel=true"));
        CaptureTargets.install(impatient);
        CaptureTargets.capture(impatient, Config.defaults());
        try {
            ExecutorService executor = pool(newVirtualThreadPerTaskExecutor());
            CountDownLatch never = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            AtomicReference<Future<?>> future = new AtomicReference<>();

            serve(
                    "GET",
                    "/shop/stuck",
                    () -> future.set(executor.submit(() -> {
                        try {
                            never.await();
                        } catch (InterruptedException e) {
                            interrupted.countDown();
                        }
                    })));

            Scope scope = impatient.scopeOf(shop);
            assertEquals(1, impatient.pending(scope));
            DrainReport report = impatient.drainApplication(scope);
            assertTrue(report.timedOut(), report.toString());
            assertTrue(future.get().isCancelled(), "cancelled at the deadline");
            await(interrupted);
        } finally {
            CaptureTargets.install(runtime());
            CaptureTargets.capture(runtime(), Config.defaults());
        }
    }

    private static void assumeJdk21() {
        assumeTrue(
                Runtime.version().feature() >= 21,
                "skipped: virtual threads and the thread-per-task executors need JDK 21 or later, this is "
                        + Runtime.version()
                        + "; the agent's build runs these tests on JDK 25 where one is installed");
    }

    /** By reflection: the tests compile for Java 17. */
    private static ExecutorService newVirtualThreadPerTaskExecutor() {
        try {
            return (ExecutorService)
                    Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static ExecutorService newThreadPerTaskExecutor(java.util.concurrent.ThreadFactory factory) {
        try {
            return (ExecutorService) Executors.class
                    .getMethod("newThreadPerTaskExecutor", java.util.concurrent.ThreadFactory.class)
                    .invoke(null, factory);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * By a method handle, whose frames a stack trace hides: a reflective call would make the JDK's reflection the
     * code that starts the thread, which is never captured.
     */
    private static void startVirtualThread(Runnable task) {
        try {
            MethodHandle start = MethodHandles.publicLookup()
                    .findStatic(
                            Thread.class, "startVirtualThread", MethodType.methodType(Thread.class, Runnable.class));
            Thread started = (Thread) start.invokeExact(task); // invokeExact needs the exact return type
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** A thread class that the exclusion names. */
    static final class ExcludedThread extends Thread {
        ExcludedThread(CountDownLatch ran) {
            super(ran::countDown);
        }
    }

    /** A library class that starts threads, which the exclusion names. */
    static final class ExcludedStarter {
        static void start(Runnable task) {
            new Thread(task).start();
        }
    }

    private <E extends ExecutorService> E pool(E pool) {
        pools.add(pool);
        return pool;
    }

    private void serve(String method, String uri, Runnable work) {
        ExecutorCaptureTest.serve(shop, method, uri, work);
    }
}
