package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The standalone mode's JVM shutdown hook in a web application that its container stopped before the JVM
 * exits: the API's classes are defined by a {@link StoppableApplicationLoader}, which refuses every class
 * once stopped, as Tomcat's loader does after a stop through the shutdown port. The hook and the
 * completions of the tasks must then run without asking that loader for anything.
 */
class ShutdownHookAfterStopTest {

    /** Bounds the test only: a healthy hook returns as soon as its tasks are done. */
    private static final long HOOK_JOIN_MILLIS = 60_000;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private CapturedLog log;
    private final List<ExecutorService> pools = new ArrayList<ExecutorService>();

    @BeforeEach
    void captureStandardError() throws UnsupportedEncodingException {
        log = new CapturedLog();
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, "UTF-8"));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        log.close();
        System.clearProperty("waituntil.drain.timeout");
        for (ExecutorService pool : pools) {
            pool.shutdownNow();
        }
    }

    @Test
    void theHookAndTheTasksCompletionsLoadNoClassOnceTheApplicationsLoaderHasStopped() throws Exception {
        StoppableApplicationLoader application = new StoppableApplicationLoader();
        IsolatedBackend backend = IsolatedBackend.in(application);
        Thread hook = backend.newShutdownHook();
        assertNull(
                hook.getContextClassLoader(), "the hook does not carry the application's loader as its context loader");

        CompletableFuture<String> completes =
                backend.register("completes after the stop", new CompletableFuture<String>());
        CompletableFuture<String> fails = backend.register("fails after the stop", new CompletableFuture<String>());
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> runs = backend.run("runs until released", () -> awaitQuietly(release));
        Future<?> plain = backend.register("plain future", pool().submit(() -> awaitQuietly(release)));

        application.stop();
        hook.start();
        completes.complete("done");
        fails.completeExceptionally(new IllegalStateException("boom"));
        release.countDown();
        hook.join(HOOK_JOIN_MILLIS);

        assertFalse(hook.isAlive(), "the hook returned once the tasks were done\n" + err());
        assertEquals(
                Collections.emptyList(),
                application.askedAfterStop(),
                "what the hook and the completions still asked of the stopped loader\n" + err());
        assertTrue(runs.isDone() && !runs.isCompletedExceptionally(), "the run task finished");
        assertTrue(plain.isDone(), "the plain future finished");
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("'fails after the stop' failed")),
                "the failure was logged\n" + log.messages());
        assertFalse(err().contains("NoClassDefFoundError") || err().contains("Illegal access"), err());
    }

    @Test
    void atTheDeadlineTheHookNamesAndCancelsWhatIsLeftWithoutLoadingAClass() throws Exception {
        System.setProperty("waituntil.drain.timeout", "300ms");
        StoppableApplicationLoader application = new StoppableApplicationLoader();
        IsolatedBackend backend = IsolatedBackend.in(application);
        Thread hook = backend.newShutdownHook();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> stuck = backend.run("never ends", () -> {
            started.countDown();
            awaitQuietly(new CountDownLatch(1));
        });
        CompletableFuture<Void> stage = backend.register("a stage never completed", new CompletableFuture<Void>());
        started.await(10, TimeUnit.SECONDS);

        application.stop();
        hook.start();
        hook.join(HOOK_JOIN_MILLIS);

        assertFalse(hook.isAlive(), "the hook returned at the deadline");
        assertEquals(
                Collections.emptyList(),
                application.askedAfterStop(),
                "what the drain's deadline path still asked of the stopped loader\n" + err());
        assertTrue(stuck.isCancelled() && stage.isCancelled(), "both were cancelled");
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("'never ends' still pending")),
                log.messages().toString());
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("2 task(s) still pending when the JVM exits")),
                log.messages().toString());
    }

    /**
     * What no preloading can prevent, such as the application's own {@code Future} whose classes are gone:
     * the hook says what happened in one line of standard error, with no stack trace.
     */
    @Test
    void whatTheHookCannotDoIsOneLineWithoutAStackTrace() throws Exception {
        StoppableApplicationLoader application = new StoppableApplicationLoader();
        IsolatedBackend backend = IsolatedBackend.in(application);
        Thread hook = backend.newShutdownHook();
        backend.register("the application's own future", new ApplicationFuture());

        application.stop();
        hook.start();
        hook.join(HOOK_JOIN_MILLIS);

        assertFalse(hook.isAlive());
        String[] lines = err().trim().split("\\R");
        assertEquals(1, lines.length, "one line\n" + err());
        assertTrue(
                lines[0].startsWith("wait-until: the JVM shutdown hook stopped draining this application's tasks, "
                        + "1 task(s) not waited for: java.lang.NoClassDefFoundError: Illegal access"),
                lines[0]);
        assertEquals(Collections.emptyList(), application.askedAfterStop(), "the line itself loads nothing");
    }

    /** A plain future of the application, whose classes the container no longer loads. */
    private static final class ApplicationFuture implements Future<Object> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public Object get() {
            return get(0, TimeUnit.NANOSECONDS);
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new NoClassDefFoundError("Illegal access: this web application instance has been stopped already. "
                    + "Could not load [com.example.Report].");
        }
    }

    private ExecutorService pool() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pools.add(pool);
        return pool;
    }

    private String err() {
        try {
            return err.toString("UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The standalone backend of another class loader, reached by reflection: its package is another at run time. */
    private static final class IsolatedBackend {
        private final Class<?> type;
        private final Object backend;

        private IsolatedBackend(Class<?> type, Object backend) {
            this.type = type;
            this.backend = backend;
        }

        static IsolatedBackend in(ClassLoader loader) throws Exception {
            Class<?> type = Class.forName("dev.waituntil.StandaloneBackend", true, loader);
            assertSame(loader, type.getClassLoader(), "the application's loader defines the API's classes");
            Constructor<?> constructor = type.getDeclaredConstructor(boolean.class);
            constructor.setAccessible(true);
            return new IsolatedBackend(type, constructor.newInstance(false));
        }

        Thread newShutdownHook() throws Exception {
            return (Thread) call("newShutdownHook", new Class<?>[0]);
        }

        <F> F register(String label, F task) throws Exception {
            call("register", new Class<?>[] {String.class, Object.class}, label, task);
            return task;
        }

        @SuppressWarnings("unchecked")
        CompletableFuture<Void> run(String label, Runnable task) throws Exception {
            return (CompletableFuture<Void>) call("run", new Class<?>[] {String.class, Runnable.class}, label, task);
        }

        private Object call(String name, Class<?>[] types, Object... args) throws Exception {
            Method method = type.getDeclaredMethod(name, types);
            method.setAccessible(true);
            try {
                return method.invoke(backend, args);
            } catch (InvocationTargetException e) {
                throw (Exception) e.getCause();
            }
        }
    }
}
