package dev.waituntil.agent.runtime;

import static dev.waituntil.agent.runtime.LoggingApplication.LOG4J_API;
import static dev.waituntil.agent.runtime.LoggingApplication.LOG4J_CORE;
import static dev.waituntil.agent.runtime.LoggingApplication.LOG4J_SLF4J2_IMPL;
import static dev.waituntil.agent.runtime.LoggingApplication.LOG4J_TO_SLF4J;
import static dev.waituntil.agent.runtime.LoggingApplication.LOGBACK;
import static dev.waituntil.agent.runtime.LoggingApplication.LOGBACK_CORE;
import static dev.waituntil.agent.runtime.LoggingApplication.SLF4J_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Config;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code run}/{@code supply} work takes from its caller's thread: the context class loader and the
 * application's own SLF4J MDC and Log4j 2 ThreadContext, set on the worker while the work runs and
 * taken away after it. The applications here are class loaders over the real libraries' jars
 * ({@link LoggingApplication}); the tasks run on the runtime's real {@code wait-until-worker} thread.
 */
class TaskContextTest {

    /** How long a test waits for what happens at once before it fails: a hang guard, not a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    private final CapturedLog log = new CapturedLog();
    /** One worker: the task after another one runs on the same thread and would see what was left there. */
    private final TaskRuntime runtime = new TaskRuntime(Config.load(
            null, Collections.singletonMap("waituntil.executor.threads", "1"), Collections.emptyMap(), p -> {}));

    private final LoggingContextLookup lookup = new LoggingContextLookup(false);

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        runtime.shutdownExecutor();
        log.close();
    }

    /** What a task saw of its thread. */
    record Seen(
            Map<String, String> mdc,
            Map<String, String> threadContext,
            List<String> stack,
            ClassLoader contextLoader,
            Thread thread) {
        static Seen on(LoggingApplication app, boolean slf4j, boolean log4j) {
            return new Seen(
                    slf4j ? app.mdc() : Map.of(),
                    log4j ? app.threadContext() : Map.of(),
                    log4j ? app.stack() : List.of(),
                    Thread.currentThread().getContextClassLoader(),
                    Thread.currentThread());
        }
    }

    private <T> T supply(Callable<T> body, ClassLoader caller) throws Exception {
        Scope scope = runtime.scopeOf(caller);
        return runtime.supply("look", body, scope, null, TaskContext.capture(caller, scope, lookup))
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs on the same worker with nothing carried: shows what an earlier task left on it. */
    private Seen leftOnTheWorker(LoggingApplication app, boolean slf4j, boolean log4j) throws Exception {
        return runtime.supply("after", () -> Seen.on(app, slf4j, log4j), runtime.jvm(), null, TaskContext.none())
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * The caller puts {@code order} in the MDC and {@code user} in the ThreadContext, and pushes one
     * message: the task sees what the caller sees, with the caller's loader; the caller keeps its own;
     * and the next task on the same worker sees nothing of it.
     */
    private void carriedIntoTheTaskAndGoneAfterIt(LoggingApplication app, boolean slf4j, boolean log4j)
            throws Exception {
        try {
            if (slf4j) {
                app.mdcPut("order", "42");
            }
            if (log4j) {
                app.threadContextPut("user", "ann");
                app.threadContextPush("request 42");
            }
            Seen caller = Seen.on(app, slf4j, log4j);
            if (slf4j) {
                assertEquals("42", caller.mdc().get("order"), "precondition: the application's MDC stores values");
            }
            if (log4j) {
                assertEquals("ann", caller.threadContext().get("user"), "precondition: its ThreadContext too");
            }

            Seen inside = supply(() -> Seen.on(app, slf4j, log4j), app.loader());
            assertEquals(caller.mdc(), inside.mdc(), "the task sees the caller's MDC");
            assertEquals(caller.threadContext(), inside.threadContext(), "... and its ThreadContext map");
            assertEquals(caller.stack(), inside.stack(), "... and its ThreadContext stack");
            assertSame(app.loader(), inside.contextLoader(), "... and runs with the caller's context class loader");
            assertTrue(
                    inside.thread().getName().startsWith("wait-until-worker-"),
                    inside.thread().getName());
            assertNotSame(
                    app.loader(),
                    inside.thread().getContextClassLoader(),
                    "the worker has its own loader back by the time the outcome is published");

            assertEquals(caller, Seen.on(app, slf4j, log4j), "the caller's thread is unchanged");

            Seen after = leftOnTheWorker(app, slf4j, log4j);
            assertSame(inside.thread(), after.thread(), "precondition: the same worker");
            assertEquals(Map.of(), after.mdc(), "no MDC is left on the worker");
            assertEquals(Map.of(), after.threadContext(), "no ThreadContext map is left on the worker");
            assertEquals(List.of(), after.stack(), "no ThreadContext stack is left on the worker");
        } finally {
            if (slf4j) {
                app.clearMdc();
            }
            if (log4j) {
                app.clearThreadContext();
            }
        }
        assertEquals(List.of(), log.lines(), "nothing to warn about");
    }

    /** Two storages: logback behind SLF4J, log4j-core behind the Log4j API (which alone stores nothing). */
    @Test
    void logbackMdcAndLog4jThreadContextAreSeenInsideTheTaskAndGoneAfterIt() throws Exception {
        carriedIntoTheTaskAndGoneAfterIt(
                LoggingApplication.of("/logback-and-log4j", SLF4J_API, LOGBACK, LOGBACK_CORE, LOG4J_API, LOG4J_CORE),
                true,
                true);
    }

    /** Spring Boot's default: log4j-to-slf4j makes the ThreadContext map a view of the MDC. Set and cleared twice, harmlessly. */
    @Test
    void log4jBridgedOntoSlf4jIsOneStorageSetAndClearedTwiceHarmlessly() throws Exception {
        carriedIntoTheTaskAndGoneAfterIt(
                LoggingApplication.of("/log4j-to-slf4j", SLF4J_API, LOGBACK, LOGBACK_CORE, LOG4J_API, LOG4J_TO_SLF4J),
                true,
                true);
    }

    /** The other way round: log4j-slf4j2-impl makes the MDC a view of the ThreadContext map. */
    @Test
    void slf4jBridgedOntoLog4jIsOneStorageSetAndClearedTwiceHarmlessly() throws Exception {
        carriedIntoTheTaskAndGoneAfterIt(
                LoggingApplication.of("/log4j-slf4j2-impl", SLF4J_API, LOG4J_API, LOG4J_CORE, LOG4J_SLF4J2_IMPL),
                true,
                true);
    }

    @Test
    void anApplicationWithSlf4jAloneGetsItsMdc() throws Exception {
        carriedIntoTheTaskAndGoneAfterIt(
                LoggingApplication.of("/logback", SLF4J_API, LOGBACK, LOGBACK_CORE), true, false);
    }

    @Test
    void anApplicationWithLog4jAloneGetsItsThreadContext() throws Exception {
        carriedIntoTheTaskAndGoneAfterIt(LoggingApplication.of("/log4j", LOG4J_API, LOG4J_CORE), false, true);
    }

    /** The task may fill the MDC itself: that is cleared too, though the caller had none. */
    @Test
    void whatTheTaskPutsItselfIsClearedAfterIt() throws Exception {
        LoggingApplication app =
                LoggingApplication.of("/fills-its-own", SLF4J_API, LOGBACK, LOGBACK_CORE, LOG4J_API, LOG4J_CORE);
        supply(
                () -> {
                    app.mdcPut("step", "2");
                    app.threadContextPut("step", "2");
                    app.threadContextPush("inside");
                    return null;
                },
                app.loader());
        Seen after = leftOnTheWorker(app, true, true);
        assertEquals(Map.of(), after.mdc());
        assertEquals(Map.of(), after.threadContext());
        assertEquals(List.of(), after.stack());
    }

    /**
     * Without either framework the work runs with its loader and nothing else happens; the classes that
     * are not there are looked for once per loader, not once per task.
     */
    @Test
    void anApplicationWithoutTheFrameworksRunsItsTasksAndIsSearchedOnce() throws Exception {
        Map<String, AtomicInteger> lookups = new HashMap<>();
        ClassLoader plain = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (lookups) {
                    lookups.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                }
                return super.loadClass(name, resolve);
            }
        };
        for (int i = 0; i < 3; i++) {
            assertSame(plain, supply(() -> Thread.currentThread().getContextClassLoader(), plain));
        }
        synchronized (lookups) {
            assertEquals(1, lookups.get("org.slf4j.MDC").get(), lookups.toString());
            assertEquals(
                    1, lookups.get("org.apache.logging.log4j.ThreadContext").get(), lookups.toString());
        }
        assertEquals(List.of(), log.lines());
    }

    @Test
    void applicationsTakingTurnsEachFindTheirOwnFrameworks() throws Exception {
        LoggingApplication withMdc = LoggingApplication.of("/mdc", SLF4J_API, LOGBACK, LOGBACK_CORE);
        ClassLoader plain = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader());
        LoggingContextLookup.Frameworks mdcFrameworks = lookup.frameworksOf(withMdc.loader(), "/mdc");
        LoggingContextLookup.Frameworks plainFrameworks = lookup.frameworksOf(plain, "/plain");
        assertNotSame(mdcFrameworks, plainFrameworks);
        for (int i = 0; i < 3; i++) {
            assertSame(mdcFrameworks, lookup.frameworksOf(withMdc.loader(), "/mdc"), "the one looked up last, or not");
            assertSame(mdcFrameworks, lookup.frameworksOf(withMdc.loader(), "/mdc"));
            assertSame(plainFrameworks, lookup.frameworksOf(plain, "/plain"));
        }
        assertEquals(1, mdcFrameworks.stores().length, "SLF4J's MDC");
        assertEquals(0, plainFrameworks.stores().length);
    }

    @Test
    void aNullLoaderRunsTheWorkWithNoneAndTouchesNoFramework() throws Exception {
        assertSame(TaskContext.none(), TaskContext.capture(null, runtime.jvm(), lookup));
        assertNull(
                runtime.supply("none", () -> Thread.currentThread().getContextClassLoader(), runtime.jvm(), null, null)
                        .get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    // ---------------------------------------------------------------- broken frameworks

    /** An MDC whose every method throws, as a class of that name that is not SLF4J's might. */
    private static final String THROWING_MDC = """
            package org.slf4j;

            public final class MDC {
                public static int calls;

                public static java.util.Map<String, String> getCopyOfContextMap() {
                    calls++;
                    throw new IllegalStateException("MDC broken on purpose");
                }

                public static void setContextMap(java.util.Map<String, String> map) {
                    calls++;
                    throw new IllegalStateException("MDC broken on purpose");
                }

                public static void clear() {
                    calls++;
                    throw new IllegalStateException("MDC broken on purpose");
                }
            }
            """;

    /** A ThreadContext that answers on the caller's thread and throws on the worker's. */
    private static final String THROWING_ON_THE_WORKER_THREAD_CONTEXT = """
            package org.apache.logging.log4j;

            public final class ThreadContext {
                public static int calls;

                public static boolean isEmpty() {
                    calls++;
                    return false;
                }

                public static java.util.Map<String, String> getContext() {
                    calls++;
                    java.util.Map<String, String> map = new java.util.HashMap<String, String>();
                    map.put("order", "7");
                    return map;
                }

                public static int getDepth() {
                    calls++;
                    return 0;
                }

                public static java.util.Collection<String> cloneStack() {
                    calls++;
                    return new java.util.ArrayList<String>();
                }

                public static void putAll(java.util.Map<String, String> map) {
                    calls++;
                    throw new IllegalStateException("ThreadContext broken on purpose");
                }

                public static void setStack(java.util.Collection<String> stack) {
                    calls++;
                    throw new IllegalStateException("ThreadContext broken on purpose");
                }

                public static void clearAll() {
                    calls++;
                    throw new IllegalStateException("ThreadContext broken on purpose");
                }
            }
            """;

    /** A class named org.slf4j.MDC with nothing of SLF4J's API. */
    private static final String UNRELATED_MDC = """
            package org.slf4j;

            public final class MDC {
                public static void put(String key, String value) {
                }
            }
            """;

    @Test
    void brokenFrameworksNeverBreakTheTaskAndAreReportedOncePerLoader() throws Exception {
        LoggingApplication app = LoggingApplication.of(
                "/broken", List.of(compile("broken", THROWING_MDC, THROWING_ON_THE_WORKER_THREAD_CONTEXT)));
        for (int i = 1; i <= 3; i++) {
            int n = i;
            assertEquals("ran " + n, supply(() -> "ran " + n, app.loader()), "the task runs and completes normally");
            if (i == 1) {
                assertEquals(1, app.staticInt("org.slf4j.MDC", "calls"), "the MDC failed on the caller's thread");
            }
        }
        assertEquals(1, app.staticInt("org.slf4j.MDC", "calls"), "and was dropped for this loader after that");
        int threadContextCalls = app.staticInt("org.apache.logging.log4j.ThreadContext", "calls");
        assertEquals(
                3 + 1 + 1,
                threadContextCalls,
                "captured once (isEmpty, getContext, getDepth), failed setting and"
                        + " clearing on the worker in the first task, dropped after it");
        List<String> warnings = log.linesContaining("failed while");
        assertEquals(1, warnings.size(), "one warning for the loader, though both frameworks failed: " + log.lines());
        assertTrue(
                warnings.get(0).contains("SLF4J MDC of application /broken")
                        && warnings.get(0).contains("MDC broken on purpose")
                        && warnings.get(0).contains("go on without it"),
                warnings.get(0));
        assertEquals(1, log.records().size(), log.lines().toString());
    }

    @Test
    void aClassOfTheSameNameWithAnotherApiIsReportedAndLeftAlone() throws Exception {
        LoggingApplication app = LoggingApplication.of("/unrelated", List.of(compile("unrelated", UNRELATED_MDC)));
        assertSame(app.loader(), supply(() -> Thread.currentThread().getContextClassLoader(), app.loader()));
        assertSame(app.loader(), supply(() -> Thread.currentThread().getContextClassLoader(), app.loader()));
        List<String> warnings = log.linesContaining("failed while");
        assertEquals(1, warnings.size(), log.lines().toString());
        assertTrue(
                warnings.get(0).contains("org.slf4j.MDC of application /unrelated failed while binding to it"),
                warnings.get(0));
    }

    @Test
    void withDebugTheWarningCarriesTheStackTrace() throws Exception {
        LoggingContextLookup debugLookup = new LoggingContextLookup(true);
        LoggingApplication app = LoggingApplication.of("/broken-debug", List.of(compile("broken-debug", THROWING_MDC)));
        Scope scope = runtime.scopeOf(app.loader());
        runtime.supply("x", () -> 1, scope, null, TaskContext.capture(app.loader(), scope, debugLookup))
                .get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertEquals(1, log.records().size(), log.lines().toString());
        assertTrue(
                log.records().get(0).getThrown() instanceof IllegalStateException,
                String.valueOf(log.records().get(0).getThrown()));
    }

    // ---------------------------------------------------------------- class loaders

    /**
     * After an application has run tasks with its MDC and ThreadContext, and is then dropped, nothing of
     * the runtime's keeps its class loader alive: not the lookup's cache, not the handles, not the worker.
     */
    @Test
    void aDroppedApplicationIsNotPinned() throws Exception {
        WeakReference<ClassLoader> gone = useAndDrop();
        for (int i = 0; i < 100 && gone.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(gone.get(), "the application's class loader was collected");
        // The runtime and the lookup are still in use afterwards.
        LoggingApplication next = LoggingApplication.of("/next", SLF4J_API, LOGBACK, LOGBACK_CORE);
        next.mdcPut("order", "43");
        try {
            assertEquals(Map.of("order", "43"), supply(next::mdc, next.loader()));
        } finally {
            next.clearMdc();
        }
    }

    private WeakReference<ClassLoader> useAndDrop() throws Exception {
        // log4j-to-slf4j rather than log4j-core, whose JVM shutdown hook would keep any application alive.
        LoggingApplication app =
                LoggingApplication.of("/dropped", SLF4J_API, LOGBACK, LOGBACK_CORE, LOG4J_API, LOG4J_TO_SLF4J);
        AtomicReference<Object> seen = new AtomicReference<>();
        // The caller is a thread that ends, as a request thread's thread-locals end with the request.
        Thread caller = new Thread(() -> {
            app.mdcPut("order", "44");
            app.threadContextPut("user", "bob");
            app.threadContextPush("request 44");
            try {
                seen.set(supply(() -> Seen.on(app, true, true).mdc(), app.loader()));
            } catch (Exception e) {
                seen.set(e);
            }
        });
        caller.start();
        caller.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        assertEquals(Map.of("order", "44", "user", "bob"), seen.get());
        return new WeakReference<>(app.loader());
    }

    // ---------------------------------------------------------------- helpers

    /** Compiles {@code sources} into a fresh directory: classes to put into an application of their own. */
    private Path compile(String name, String... sources) throws IOException {
        Path out = Files.createDirectories(tmp.resolve(name));
        Path src = Files.createDirectories(tmp.resolve(name + "-src"));
        List<Path> files = new ArrayList<>();
        for (String source : sources) {
            String pkg = source.substring(source.indexOf("package ") + 8, source.indexOf(';'))
                    .trim();
            int at = source.indexOf("public final class ") + "public final class ".length();
            String type = source.substring(at, source.indexOf(' ', at)).trim();
            Path file = src.resolve(pkg.replace('.', '/')).resolve(type + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            files.add(file);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            boolean ok = javac.getTask(
                            null,
                            fm,
                            diagnostics,
                            List.of("-d", out.toString()),
                            null,
                            fm.getJavaFileObjectsFromPaths(files))
                    .call();
            assertTrue(ok, diagnostics.getDiagnostics().toString());
        }
        return out;
    }
}
