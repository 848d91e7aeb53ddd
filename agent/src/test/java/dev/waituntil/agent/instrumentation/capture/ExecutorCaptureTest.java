package dev.waituntil.agent.instrumentation.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.waituntil.agent.bridge.BootstrapInjector;
import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.TestConfigs;
import dev.waituntil.agent.hook.HookPoint;
import dev.waituntil.agent.instrumentation.Instrumenter;
import dev.waituntil.agent.runtime.DrainReport;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.agent.runtime.TrackedTask;
import dev.waituntil.bootstrap.CaptureHooks;
import dev.waituntil.bootstrap.ServletHooks;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.core.task.support.TaskExecutorAdapter;

/**
 * Work handed to the JDK's executors, captured as the agent captures it: the bootstrap package on the bootstrap class
 * path, the capture hook points installed into this JVM's {@code ThreadPoolExecutor}, {@code ForkJoinPool} and
 * {@code CompletableFuture} with Byte Buddy (retransformed: they are loaded already), and a request simulated as the
 * servlet advice begins and ends one. Runs in a JVM of its own (see the agent's pom).
 */
class ExecutorCaptureTest {

    /** A guard against a hang, not a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    /** Shared with the other capture tests in this JVM, which install the same hook points once. */
    static TaskRuntime runtime;

    private final List<ExecutorService> pools = new ArrayList<>();
    private final ClassLoader shop = new URLClassLoader(new URL[0], getClass().getClassLoader());

    @BeforeAll
    static synchronized void installTheAgentsCapture() throws Exception {
        if (runtime != null) {
            return;
        }
        Instrumentation instrumentation = ByteBuddyAgent.install();
        BootstrapInjector.inject(instrumentation, bootstrapJar());
        for (String hooks : new String[] {"CaptureHooks", "ServletHooks", "RequestContext"}) {
            assertNull(
                    Class.forName("dev.waituntil.bootstrap." + hooks).getClassLoader(),
                    hooks + " is not the bootstrap loader's, as with the agent: this test needs a JVM of its own, "
                            + "where no other test has loaded the bootstrap package from the class path");
        }
        runtime = new TaskRuntime(TestConfigs.of("drain.timeout=60s"));
        CaptureTargets.install(runtime);
        install(Config.defaults());
        // The thread hook points too, as waituntil.capture=executors,threads installs them: the config decides.
        List<HookPoint> points = new ArrayList<>(CaptureInstrumentations.hookPoints());
        points.addAll(CaptureInstrumentations.threadHookPoints());
        Instrumenter.Prepared prepared = Instrumenter.prepare(points);
        Instrumenter.install(instrumentation, prepared, false);
        CountDownLatch retransformed = new CountDownLatch(1);
        prepared.afterWarmUp(retransformed::countDown); // after the retransformation, which waits for the same
        await(retransformed);
    }

    static void install(Config config) {
        CaptureTargets.capture(runtime, config);
    }

    @AfterEach
    void stopPoolsAndRestoreTheDefaults() throws InterruptedException {
        install(Config.defaults());
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(PATIENCE_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void workHandedToAFixedPoolInARequestIsPendingUntilItHasRunAndADrainWaitsForIt() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(2));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean executed = new AtomicBoolean();
        AtomicBoolean submitted = new AtomicBoolean();
        AtomicReference<Future<?>> future = new AtomicReference<>();

        serve("GET", "/shop/orders", () -> {
            pool.execute(() -> {
                await(release);
                executed.set(true);
            });
            future.set(pool.submit(() -> {
                await(release);
                submitted.set(true);
                return "done";
            }));
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(2, runtime.pending(scope), "both pending after the request has ended");
        assertEquals(
                List.of(
                        "ThreadPoolExecutor.execute from GET /shop/orders",
                        "ThreadPoolExecutor.submit from GET /shop/orders"),
                labels(scope));
        assertEquals("/shop", scope.name(), "the request's application");

        releaseLater(release);
        DrainReport report = runtime.drainApplication(scope);
        assertTrue(executed.get() && submitted.get(), "the drain returned before both tasks had run: " + report);
        assertFalse(report.timedOut(), report.toString());
        assertEquals(0, runtime.pending(scope));
        assertEquals("done", future.get().get(), "submit's future is the caller's, with its value");
    }

    @Test
    void workHandedOverOutsideARequestIsNotTrackedNorWrapped() throws Exception {
        AtomicReference<Runnable> seen = new AtomicReference<>();
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10)) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                seen.set(r);
            }
        });
        long registered = runtime.registeredCount();
        CountDownLatch ran = new CountDownLatch(1);
        Runnable task = ran::countDown;

        pool.execute(task);

        await(ran);
        assertSame(task, seen.get(), "the pool runs the application's own task");
        assertEquals(registered, runtime.registeredCount());
    }

    /** A bound, not a measurement: one object per call would be some 1.6 MB here. */
    @Test
    void outsideARequestTheHookAllocatesNothingPerCall() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Executor executor = Runnable::run;
        Runnable task = () -> {};
        long thread = Thread.currentThread().getId();
        Runnable handedOn = null;
        for (int i = 0; i < 100_000; i++) { // the thread's RequestContext, made once, and the JIT
            handedOn = CaptureHooks.capture(executor, task, "warm-up");
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            handedOn = CaptureHooks.capture(executor, task, "ThreadPoolExecutor.execute");
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertSame(task, handedOn);
        assertTrue(allocated < 10_000, allocated + " bytes for 100000 hand-overs outside a request");
    }

    @Test
    void theExcludedPrefixesAreNeverCapturedWhetherTaskOrExecutor() throws Exception {
        install(TestConfigs.of(
                "capture.exclude=" + ExcludedWork.class.getName() + ", " + ExcludedPool.class.getName()));
        ExecutorService plain = pool(Executors.newFixedThreadPool(1));
        ExecutorService excludedPool = pool(new ExcludedPool());
        CountDownLatch ran = new CountDownLatch(2);
        long registered = runtime.registeredCount();

        serve("GET", "/shop/excluded", () -> {
            plain.execute(new ExcludedWork(ran));
            excludedPool.execute(ran::countDown);
        });

        await(ran);
        assertEquals(registered, runtime.registeredCount());
        assertEquals(
                List.of(
                        "org.apache.tomcat.",
                        "org.apache.catalina.",
                        "org.apache.coyote.",
                        "org.apache.juli.",
                        "org.eclipse.jetty."),
                ExecutorCapture.BUILT_IN_EXCLUSIONS.subList(0, 5),
                "the containers' own pools and tasks");
    }

    /**
     * Tomcat's {@code AsyncFileHandler} writes each log record on its own {@code ThreadPoolExecutor} subclass, which
     * calls {@code super.execute}: a line logged in a request is the container's work, not the request's.
     */
    @Test
    void tomcatsLoggingPoolIsNeverCaptured() throws Exception {
        Class<? extends ThreadPoolExecutor> loggerPool = new ByteBuddy()
                .subclass(ThreadPoolExecutor.class, ConstructorStrategy.Default.IMITATE_SUPER_CLASS_OPENING)
                // Not the real AsyncFileHandler$LoggerExecutorService, which the class path may hold already.
                .name("org.apache.juli.LoggerExecutorServiceLike")
                .make()
                .load(getClass().getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded();
        ThreadPoolExecutor pool = pool(loggerPool
                .getConstructor(int.class, int.class, long.class, TimeUnit.class, BlockingQueue.class)
                .newInstance(1, 1, 0L, TimeUnit.SECONDS, new LinkedBlockingQueue<Runnable>()));
        CountDownLatch ran = new CountDownLatch(2);
        long registered = runtime.registeredCount();

        serve("GET", "/shop/logs", () -> {
            pool.execute(ran::countDown);
            pool.submit(ran::countDown);
        });

        await(ran);
        assertEquals(registered, runtime.registeredCount(), "nothing captured");
        assertEquals(0, runtime.pending(runtime.scopeOf(shop)));
    }

    @Test
    void aRejectedHandOverLeavesNothingPending() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1)));
        CountDownLatch release = new CountDownLatch(1);
        long rejected = runtime.rejectedCount();

        serve("POST", "/shop/full", () -> {
            pool.execute(() -> await(release));
            pool.execute(() -> await(release));
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> {}), "the queue is full");
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(2, runtime.pending(scope), "the running task and the queued one, not the refused one");
        release.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(PATIENCE_SECONDS, TimeUnit.SECONDS));
        serve(
                "POST",
                "/shop/closed",
                () -> assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> {})));
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
        assertEquals(rejected + 2, runtime.rejectedCount(), "each refusal counted once");
    }

    @Test
    void aTaskThatADiscardPolicyDropsEndsRejectedAndAQueuedOneStaysPending() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.DiscardPolicy()));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean droppedRan = new AtomicBoolean();
        long rejected = runtime.rejectedCount();

        serve("POST", "/shop/discard", () -> {
            pool.execute(() -> await(release));
            pool.execute(() -> await(release));
            pool.execute(() -> droppedRan.set(true)); // the queue is full: dropped without a word
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(2, runtime.pending(scope), "the running task and the queued one, not the dropped one");
        assertEquals(rejected + 1, runtime.rejectedCount());
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut(), "nothing waits for the dropped task");
        assertFalse(droppedRan.get());
    }

    @Test
    void discardOldestPolicyEndsTheTaskItDropsAndKeepsTheNewOne() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.DiscardOldestPolicy()));
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean oldestRan = new AtomicBoolean();
        AtomicBoolean newestRan = new AtomicBoolean();
        long rejected = runtime.rejectedCount();

        serve("POST", "/shop/oldest", () -> {
            pool.execute(() -> await(release));
            pool.execute(() -> oldestRan.set(true));
            pool.execute(() -> newestRan.set(true)); // drops the queued one, takes its place
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(2, runtime.pending(scope), "the running task and the newest, not the dropped one");
        assertEquals(rejected + 1, runtime.rejectedCount());

        pool.shutdown(); // the queued task still runs
        AtomicBoolean afterShutdownRan = new AtomicBoolean();
        serve("POST", "/shop/oldest-closed", () -> pool.execute(() -> afterShutdownRan.set(true)));
        assertEquals(2, runtime.pending(scope), "a pool shut down drops the new task: not pending");
        assertEquals(rejected + 2, runtime.rejectedCount());

        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertTrue(newestRan.get(), "the drain waited for the newest task");
        assertFalse(oldestRan.get() || afterShutdownRan.get());
    }

    @Test
    void callerRunsPolicyRunsTheTaskInTheRequestOrDropsItOnceThePoolIsShutDown() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.CallerRunsPolicy()));
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        long rejected = runtime.rejectedCount();

        serve("POST", "/shop/caller-runs", () -> {
            pool.execute(() -> await(release));
            pool.execute(() -> await(release));
            pool.execute(() -> ranOn.set(Thread.currentThread()));
        });
        assertSame(Thread.currentThread(), ranOn.get(), "the policy ran the third task in the caller");

        Scope scope = runtime.scopeOf(shop);
        assertEquals(2, runtime.pending(scope), "the task the caller ran has ended");
        assertEquals(rejected, runtime.rejectedCount());

        pool.shutdown(); // the queued task still runs
        serve("POST", "/shop/caller-runs-closed", () -> pool.execute(() -> ranOn.set(null)));
        assertEquals(2, runtime.pending(scope), "dropped by the shut-down pool: not pending");
        assertEquals(rejected + 1, runtime.rejectedCount());
        assertSame(Thread.currentThread(), ranOn.get(), "not run");

        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
    }

    @Test
    void removeFindsTheApplicationsQueuedTaskAndItsRecordEnds() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()));
        CountDownLatch release = new CountDownLatch(1);
        ApplicationWork queued = new ApplicationWork();
        long cancelled = runtime.cancelledCount();

        serve("DELETE", "/shop/queued", () -> {
            pool.execute(() -> await(release));
            pool.execute(queued);
        });

        assertTrue(pool.remove(queued), "found as without the agent, though the queue holds the agent's wrapper");
        assertTrue(pool.getQueue().isEmpty());
        assertFalse(pool.remove(queued), "once");
        Scope scope = runtime.scopeOf(shop);
        assertEquals(1, runtime.pending(scope), "the removed task is no longer pending");
        assertEquals(cancelled + 1, runtime.cancelledCount(), "ended cancelled: the application took it back");
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertFalse(queued.ran);
    }

    @Test
    void purgeOfACancelledSubmittedTaskEndsItsRecord() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()));
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<?>> queued = new AtomicReference<>();
        long cancelled = runtime.cancelledCount();

        serve("GET", "/shop/purge", () -> {
            pool.execute(() -> await(release));
            queued.set(pool.submit(() -> await(release)));
        });
        assertTrue(queued.get().cancel(false));
        pool.purge();

        assertTrue(pool.getQueue().isEmpty(), "purge removed the cancelled task, as without the agent");
        Scope scope = runtime.scopeOf(shop);
        assertEquals(1, runtime.pending(scope), "only the running task");
        assertEquals(cancelled + 1, runtime.cancelledCount());
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
    }

    @Test
    void aSubmittedTaskThatTheApplicationCancelsEndsCancelledWhenThePoolComesToIt() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<?>> queued = new AtomicReference<>();
        long cancelled = runtime.cancelledCount();

        serve("GET", "/shop/cancel", () -> {
            pool.execute(() -> await(release));
            queued.set(pool.submit(() -> await(release)));
        });
        assertTrue(queued.get().cancel(false));

        Scope scope = runtime.scopeOf(shop);
        assertEquals(2, runtime.pending(scope), "still in the pool's queue, which will hand it to a worker");
        release.countDown();
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
        assertEquals(cancelled + 1, runtime.cancelledCount());
    }

    @Test
    void afterItsApplicationsDrainWorkIsStillHandedOverUntracked() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        serve("GET", "/shop/before", () -> {});
        assertFalse(runtime.drainApplication(runtime.scopeOf(shop)).timedOut());
        long registered = runtime.registeredCount();
        long rejected = runtime.rejectedCount();
        CountDownLatch ran = new CountDownLatch(1);

        serve("GET", "/shop/after", () -> pool.execute(ran::countDown));

        await(ran);
        assertEquals(registered, runtime.registeredCount());
        assertEquals(rejected, runtime.rejectedCount(), "the application's own call is never refused");
    }

    @Test
    void completableFutureRunAsyncIsCapturedOnTheDefaultPoolAndOnAGivenExecutor() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<?>> futures = new ArrayList<>();

        serve("GET", "/shop/async", () -> {
            futures.add(CompletableFuture.runAsync(() -> await(release)));
            futures.add(CompletableFuture.runAsync(() -> await(release), pool));
            futures.add(CompletableFuture.supplyAsync(() -> await(release), pool));
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(
                List.of(
                        "CompletableFuture.runAsync from GET /shop/async",
                        "CompletableFuture.runAsync from GET /shop/async",
                        "CompletableFuture.supplyAsync from GET /shop/async"),
                labels(scope),
                "each once, whichever executor the default pool is on this JVM");
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        for (CompletableFuture<?> future : futures) {
            assertTrue(future.isDone(), "the drain returned before the work had run");
        }
    }

    @Test
    void runAsyncThatTheRequestRegistersIsOneTaskUnderTheRegisteredLabel() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<CompletableFuture<?>> future = new AtomicReference<>();
        long registered = runtime.registeredCount();
        long completed = runtime.completedCount();

        serve("GET", "/shop/mail", () -> {
            future.set(CompletableFuture.runAsync(() -> await(release)));
            register("send mail", future.get());
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(1, runtime.pending(scope), "captured and registered: one task");
        assertEquals(List.of("send mail"), labels(scope), "the registered label wins");
        assertEquals(registered + 1, runtime.registeredCount());
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertTrue(future.get().isDone(), "the drain returned before the work had run");
        assertEquals(0, runtime.pending(scope));
        assertEquals(completed + 1, runtime.completedCount());
        assertEquals(registered + 1, runtime.registeredCount());
    }

    @Test
    void supplyAsyncOnAGivenExecutorThatTheRequestRegistersIsOneTask() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<CompletableFuture<String>> future = new AtomicReference<>();
        long registered = runtime.registeredCount();
        long completed = runtime.completedCount();

        serve("POST", "/shop/invoice", () -> {
            future.set(CompletableFuture.supplyAsync(
                    () -> {
                        await(release);
                        return "invoice";
                    },
                    pool));
            register("render invoice", future.get());
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(List.of("render invoice"), labels(scope));
        assertEquals(registered + 1, runtime.registeredCount());
        assertTrue(
                runtime.pendingTasks().stream().anyMatch(t -> t.label().equals("render invoice")),
                "the operators' list names the registered task");
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals("invoice", future.get().get());
        assertEquals(0, runtime.pending(scope));
        assertEquals(completed + 1, runtime.completedCount());
        assertEquals(registered + 1, runtime.registeredCount());
    }

    @Test
    void registeringCapturedWorkThatHasAlreadyRunCountsItNoMore() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10)) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                ended.countDown(); // after the captured task's run, and so its record, has ended
            }
        });
        long registered = runtime.registeredCount();
        long completed = runtime.completedCount();
        AtomicReference<CompletableFuture<?>> future = new AtomicReference<>();

        serve("GET", "/shop/quick", () -> {
            future.set(CompletableFuture.runAsync(() -> {}, pool));
            await(ended);
            register("quick", future.get());
        });

        assertEquals(0, runtime.pending(runtime.scopeOf(shop)));
        assertEquals(registered + 1, runtime.registeredCount(), "counted once, when it was captured");
        assertEquals(completed + 1, runtime.completedCount());
    }

    @Test
    void registeringCapturedWorkThatHasAlreadyRunInATaskWithoutARequestCountsItNoMore() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10)) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                ended.countDown(); // after the captured task's run, and so its record, has ended
            }
        });
        Scope scope = runtime.scopeOf(shop);
        long registered = runtime.registeredCount();
        long completed = runtime.completedCount();

        // A run task that belongs to no request (a scheduled job's, say) hands work over and registers its future
        // once the work has run.
        runtime.run(
                        "job",
                        () -> {
                            CompletableFuture<Void> quick = CompletableFuture.runAsync(() -> {}, pool);
                            await(ended);
                            register("quick", quick);
                        },
                        scope,
                        null,
                        null)
                .get(30, TimeUnit.SECONDS);
        // The job's future completes just before its record ends.
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                runtime.pending(scope) > 0 && System.nanoTime() < deadline; ) {
            Thread.sleep(10);
        }

        assertEquals(0, runtime.pending(scope));
        assertEquals(registered + 2, runtime.registeredCount(), "the job, and its captured work once");
        assertEquals(completed + 2, runtime.completedCount());
    }

    @Test
    void registeringAFutureThatWasNotCapturedTracksItAsBefore() throws Exception {
        CompletableFuture<String> outside = new CompletableFuture<>();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> startedOutside = CompletableFuture.runAsync(() -> await(release));
        long registered = runtime.registeredCount();
        long completed = runtime.completedCount();

        serve("GET", "/shop/plain", () -> {
            register("made outside", outside);
            register("started outside", startedOutside);
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(List.of("made outside", "started outside"), labels(scope));
        assertEquals(registered + 2, runtime.registeredCount());
        outside.complete("done");
        release.countDown();
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
        assertEquals(completed + 2, runtime.completedCount());
    }

    @Test
    void shutdownNowReturnsTheApplicationsOwnTasksAndTheirRecordsEnd() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long cancelled = runtime.cancelledCount();
        ApplicationWork queued = new ApplicationWork();
        AtomicReference<Future<?>> submitted = new AtomicReference<>();

        serve("DELETE", "/shop/pool", () -> {
            pool.execute(() -> {
                running.countDown();
                await(release);
            });
            pool.execute(queued);
            submitted.set(pool.submit(new ApplicationWork()));
        });
        await(running);

        List<Runnable> unrun = pool.shutdownNow();

        assertEquals(2, unrun.size(), unrun.toString());
        ApplicationWork own = (ApplicationWork) unrun.get(0); // a ClassCastException with the wrapper
        assertSame(queued, own);
        assertSame(submitted.get(), (FutureTask<?>) unrun.get(1), "submit's own future");
        Scope scope = runtime.scopeOf(shop);
        assertFalse(runtime.drainApplication(scope).timedOut(), "the interrupted task ends, the two never run");
        assertEquals(0, runtime.pending(scope));
        assertEquals(cancelled + 2, runtime.cancelledCount(), "what never ran ends cancelled");
        assertFalse(own.ran || ((FutureTask<?>) unrun.get(1)).isDone());
    }

    @Test
    void aForkJoinPoolsExecuteAndSubmitAreCaptured() throws Exception {
        ExecutorService pool = pool(new ForkJoinPool(2));
        CountDownLatch release = new CountDownLatch(1);

        serve("GET", "/shop/forkjoin", () -> {
            pool.execute(() -> await(release));
            pool.submit(() -> await(release));
            pool.submit(() -> await(release), "result");
            pool.submit(() -> {
                await(release);
                return "called";
            });
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(
                List.of(
                        "ForkJoinPool.execute from GET /shop/forkjoin",
                        "ForkJoinPool.submit from GET /shop/forkjoin",
                        "ForkJoinPool.submit from GET /shop/forkjoin",
                        "ForkJoinPool.submit from GET /shop/forkjoin"),
                labels(scope));
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
    }

    @Test
    void workThatACapturedTaskOrARunTaskHandsOnIsCapturedForTheSameRequest() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(3));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch handedOn = new CountDownLatch(2);
        RequestInfo request = new RequestInfo("PUT", "/shop/nested", 1);

        serve("PUT", "/shop/nested", () -> {
            pool.execute(() -> {
                pool.execute(() -> await(release));
                handedOn.countDown();
                await(release);
            });
            runtime.run(
                    "run task",
                    () -> {
                        pool.execute(() -> await(release));
                        handedOn.countDown();
                        await(release);
                    },
                    runtime.scopeOf(shop),
                    request,
                    null);
        });

        await(handedOn);
        Scope scope = runtime.scopeOf(shop);
        assertEquals(
                List.of(
                        "ThreadPoolExecutor.execute from PUT /shop/nested",
                        "ThreadPoolExecutor.execute from PUT /shop/nested",
                        "ThreadPoolExecutor.execute from PUT /shop/nested",
                        "run task"),
                labels(scope),
                "the captured task, what it handed on, and what the run task handed on; the run task once");
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
    }

    @Test
    void aFailedCapturedTaskIsCountedFailedAndTheWorkerIsNotMarkedAfterIt() throws Exception {
        AtomicReference<Throwable> afterExecute = new AtomicReference<>();
        CountDownLatch afterExecuteRan = new CountDownLatch(1);
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10)) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                if (r instanceof Future && ((Future<?>) r).isDone()) {
                    try {
                        ((Future<?>) r).get();
                    } catch (Exception e) {
                        afterExecute.set(e.getCause());
                    }
                    afterExecuteRan.countDown();
                }
            }
        });
        long failed = runtime.failedCount();
        IllegalStateException boom = new IllegalStateException("boom");

        serve(
                "GET",
                "/shop/fail",
                () -> pool.submit((Callable<Object>) () -> {
                    throw boom;
                }));

        Scope scope = runtime.scopeOf(shop);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(failed + 1, runtime.failedCount());
        await(afterExecuteRan); // after the run, so after the task's end, which the drain waited for
        assertSame(boom, afterExecute.get(), "the pool still sees submit's Future and its outcome");
        long registered = runtime.registeredCount();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(() -> pool.execute(ran::countDown));
        await(ran);
        assertEquals(registered, runtime.registeredCount(), "the worker runs no tracked task any more");
    }

    @Test
    void withCaptureNoneNothingIsTrackedAndNoHookPointIsInstalled() throws Exception {
        Config none = TestConfigs.of("capture=none");
        install(none);
        ExecutorService pool = pool(Executors.newFixedThreadPool(1));
        CountDownLatch ran = new CountDownLatch(2);
        long registered = runtime.registeredCount();

        serve("GET", "/shop/none", () -> {
            pool.execute(ran::countDown);
            CompletableFuture.runAsync(ran::countDown);
        });

        await(ran);
        assertEquals(registered, runtime.registeredCount());
        List<HookPoint> points = Instrumenter.hookPoints(none);
        assertTrue(points.stream().noneMatch(HookPoint::jdkClass), points.toString());
        assertEquals(List.of("capture"), Instrumenter.disabledGroups(none));
    }

    @Test
    void aCapturedTaskPinsNoApplicationClassLoaderOnceItHasRun() throws Exception {
        ThreadPoolExecutor pool = pool(new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10)));
        pool.prestartAllCoreThreads(); // a worker started in the request would keep the application's loader as its own

        java.lang.ref.WeakReference<ClassLoader> gone = captureAndForget(pool);

        for (int i = 0; i < 50 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(gone.get(), "the application's class loader is still reachable after its captured task has run");
    }

    @Test
    void springsSimpleAsyncTaskExecutorIsCapturedOnceWithItsTaskDecoratorApplied() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger decorated = new AtomicInteger();
        AtomicBoolean decoratedRunCaptured = new AtomicBoolean();
        SimpleAsyncTaskExecutor decorating = new SimpleAsyncTaskExecutor("decorating-");
        decorating.setTaskDecorator(task -> {
            decorated.incrementAndGet();
            return () -> {
                task.run();
                // The decorator's own code runs inside the captured task: work it hands on is captured too.
                Runnable probe = CaptureHooks.capture((Executor) Runnable::run, (Runnable) () -> {}, "probe");
                decoratedRunCaptured.set(probe instanceof dev.waituntil.bootstrap.CapturedRunnable);
                probe.run();
            };
        });
        SimpleAsyncTaskExecutor plain = new SimpleAsyncTaskExecutor("plain-");
        List<Future<?>> futures = new ArrayList<>();
        long registered = runtime.registeredCount();

        serve("GET", "/shop/spring", () -> {
            decorating.execute(() -> await(release));
            futures.add(plain.submit(() -> await(release)));
            futures.add(plain.submitCompletable((Runnable) () -> await(release)));
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(
                List.of(
                        "CompletableFuture.runAsync from GET /shop/spring",
                        "SimpleAsyncTaskExecutor.execute from GET /shop/spring",
                        "SimpleAsyncTaskExecutor.submit from GET /shop/spring"),
                labels(scope),
                "each hand-over once, submitCompletable's under the runAsync it goes through");
        assertEquals(registered + 3, runtime.registeredCount());
        assertEquals(1, decorated.get(), "the TaskDecorator decorated the task once");
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        for (Future<?> future : futures) {
            assertTrue(future.isDone(), "the drain returned before the work had run");
        }
        assertTrue(decoratedRunCaptured.get(), "the decorated task ran as the captured task");
        assertEquals(registered + 4, runtime.registeredCount(), "and the probe it handed on was captured");
    }

    @Test
    void aTaskThatSimpleAsyncTaskExecutorsConcurrencyLimitRefusesIsNeverCaptured() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SimpleAsyncTaskExecutor limited = new SimpleAsyncTaskExecutor("limited-");
        limited.setConcurrencyLimit(1);
        limited.setRejectTasksWhenLimitReached(true);
        long registered = runtime.registeredCount();
        long rejected = runtime.rejectedCount();

        serve("POST", "/shop/limited", () -> {
            limited.execute(() -> await(release));
            assertThrows(TaskRejectedException.class, () -> limited.execute(() -> {}), "over the limit");
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(List.of("SimpleAsyncTaskExecutor.execute from POST /shop/limited"), labels(scope));
        assertEquals(registered + 1, runtime.registeredCount());
        assertEquals(rejected, runtime.rejectedCount(), "refused before any thread was asked for");
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
    }

    /**
     * As {@code SimpleAsyncTaskScheduler} with a target executor does, and {@code TaskExecutorAdapter} around a JDK
     * pool: the Spring executor hands the task to a JDK executor, which captures it, once.
     */
    @Test
    void aSpringExecutorThatHandsItsTasksToAJdkPoolIsCapturedOnceThere() throws Exception {
        ExecutorService pool = pool(Executors.newFixedThreadPool(2));
        CountDownLatch release = new CountDownLatch(1);
        SimpleAsyncTaskExecutor targeted = new SimpleAsyncTaskExecutor() {
            @Override
            protected void doExecute(Runnable task) {
                pool.execute(task);
            }
        };
        TaskExecutorAdapter adapter = new TaskExecutorAdapter(pool);
        adapter.setTaskDecorator(task -> task::run);

        serve("GET", "/shop/handed", () -> {
            targeted.execute(() -> await(release));
            adapter.execute(() -> await(release));
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(
                List.of(
                        "ThreadPoolExecutor.execute from GET /shop/handed",
                        "ThreadPoolExecutor.execute from GET /shop/handed"),
                labels(scope));
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
    }

    /** Virtual threads: JDK 21 and later (run this class on JDK 25 with {@code -Djvm=<java>}). */
    @Test
    void springsVirtualThreadExecutorsAreCaptured() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21 or later");
        CountDownLatch release = new CountDownLatch(1);
        VirtualThreadTaskExecutor virtual = new VirtualThreadTaskExecutor("virtual-");
        SimpleAsyncTaskExecutor simpleVirtual = new SimpleAsyncTaskExecutor("simple-virtual-");
        simpleVirtual.setVirtualThreads(true);
        List<Future<?>> futures = new ArrayList<>();

        serve("GET", "/shop/virtual", () -> {
            virtual.execute(() -> await(release));
            futures.add(virtual.submit(() -> await(release)));
            futures.add(simpleVirtual.submit(() -> await(release)));
        });

        Scope scope = runtime.scopeOf(shop);
        assertEquals(
                List.of(
                        "SimpleAsyncTaskExecutor.submit from GET /shop/virtual",
                        "VirtualThreadTaskExecutor.execute from GET /shop/virtual",
                        "VirtualThreadTaskExecutor.submit from GET /shop/virtual"),
                labels(scope));
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        for (Future<?> future : futures) {
            assertTrue(future.isDone(), "the drain returned before the work had run");
        }
    }

    /** With threads captured too, the thread that Spring's executor starts for the task is not a second task. */
    @Test
    void springsExecutorsCountTheirTaskOnceWhenThreadsAreCapturedToo() throws Exception {
        install(TestConfigs.of("capture=executors,threads"));
        CountDownLatch release = new CountDownLatch(1);
        SimpleAsyncTaskExecutor simple = new SimpleAsyncTaskExecutor("simple-threads-");
        boolean virtual = Runtime.version().feature() >= 21;
        long registered = runtime.registeredCount();

        serve("GET", "/shop/threads", () -> {
            simple.execute(() -> await(release));
            if (virtual) {
                new VirtualThreadTaskExecutor("virtual-threads-").execute(() -> await(release));
            }
        });

        Scope scope = runtime.scopeOf(shop);
        List<String> expected = new ArrayList<>(List.of("SimpleAsyncTaskExecutor.execute from GET /shop/threads"));
        if (virtual) {
            expected.add("VirtualThreadTaskExecutor.execute from GET /shop/threads");
        }
        assertEquals(expected, labels(scope));
        assertEquals(registered + expected.size(), runtime.registeredCount());
        releaseLater(release);
        assertFalse(runtime.drainApplication(scope).timedOut());
        assertEquals(0, runtime.pending(scope));
    }

    @Test
    void springsSimpleAsyncTaskExecutorOutsideARequestIsNotCaptured() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        long registered = runtime.registeredCount();

        new SimpleAsyncTaskExecutor("outside-").execute(ran::countDown);

        await(ran);
        assertEquals(registered, runtime.registeredCount());
    }

    private java.lang.ref.WeakReference<ClassLoader> captureAndForget(ExecutorService pool) throws Exception {
        URL testClasses =
                ExecutorCaptureTest.class.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader application = new URLClassLoader(new URL[] {testClasses}, null);
        Runnable task = (Runnable) application
                .loadClass(ApplicationTask.class.getName())
                .getDeclaredConstructor()
                .newInstance();
        assertSame(application, task.getClass().getClassLoader());
        long registered = runtime.registeredCount();

        serve(application, "GET", "/gone/work", () -> pool.execute(task));

        assertEquals(registered + 1, runtime.registeredCount(), "captured");
        assertFalse(runtime.drainApplication(runtime.scopeOf(application)).timedOut());
        return new java.lang.ref.WeakReference<>(application);
    }

    /** An application's task, loaded by the application's own class loader in the test above. */
    public static final class ApplicationTask implements Runnable {
        @Override
        public void run() {}
    }

    /** The application's own task type, which it casts what {@code shutdownNow()} returns to. */
    static final class ApplicationWork implements Runnable {
        volatile boolean ran;

        @Override
        public void run() {
            ran = true;
        }
    }

    /** A task class that the exclusion names. */
    static final class ExcludedWork implements Runnable {
        private final CountDownLatch ran;

        ExcludedWork(CountDownLatch ran) {
            this.ran = ran;
        }

        @Override
        public void run() {
            ran.countDown();
        }
    }

    /** An executor class that the exclusion names. */
    static final class ExcludedPool extends ThreadPoolExecutor {
        ExcludedPool() {
            super(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10));
        }
    }

    private <E extends ExecutorService> E pool(E pool) {
        pools.add(pool);
        return pool;
    }

    /** Runs {@code work} as a request of the application {@code shop}, as the servlet advice frames one. */
    private void serve(String method, String uri, Runnable work) {
        serve(shop, method, uri, work);
    }

    static void serve(ClassLoader application, String method, String uri, Runnable work) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            ServletHooks.enter(request(method, uri, uri.substring(0, uri.indexOf('/', 1))));
            try {
                work.run();
            } finally {
                ServletHooks.exit();
            }
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static Object request(String method, String uri, String contextPath) {
        Class<?> type = jakarta.servlet.http.HttpServletRequest.class;
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "getMethod":
                    return method;
                case "getRequestURI":
                    return uri;
                case "getContextPath":
                    return contextPath;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    return null;
            }
        });
    }

    /**
     * Registers {@code future} as {@code WaitUntil.register} does in the request on this thread (of {@code shop}):
     * through the agent's bridge, with the request's own description, as its captured work has.
     */
    private static void register(String label, CompletableFuture<?> future) {
        CaptureTargets.register(label, future);
    }

    static List<String> labels(Scope scope) {
        return runtime.pendingTasks().stream()
                .filter(t -> t.scope() == scope)
                .map(TrackedTask::label)
                .sorted()
                .collect(Collectors.toList());
    }

    /** Releases {@code latch} from another thread a moment from now, while the test's thread drains. */
    static void releaseLater(CountDownLatch latch) {
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            latch.countDown();
        });
        releaser.setDaemon(true);
        releaser.start();
    }

    static Object await(CountDownLatch latch) {
        try {
            if (!latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("waited " + PATIENCE_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** The bootstrap package of the agent's compiled classes, in a jar, as the agent jar holds it. */
    private static File bootstrapJar() throws IOException, URISyntaxException {
        // Found by a class that references no bootstrap class: loading one now would load it from the class path.
        Path classes = Paths.get(BootstrapInjector.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        File jar = Files.createTempFile("wait-until-test-agent", ".jar").toFile();
        jar.deleteOnExit();
        try (OutputStream out = Files.newOutputStream(jar.toPath());
                JarOutputStream target = new JarOutputStream(out);
                Stream<Path> files = Files.list(classes.resolve("dev/waituntil/bootstrap"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                target.putNextEntry(new JarEntry("dev/waituntil/bootstrap/" + file.getFileName()));
                target.write(Files.readAllBytes(file));
                target.closeEntry();
            }
        }
        return jar;
    }
}
