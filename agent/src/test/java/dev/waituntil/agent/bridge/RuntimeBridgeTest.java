package dev.waituntil.agent.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.instrumentation.servlet.ServletRequests;
import dev.waituntil.agent.runtime.DrainReport;
import dev.waituntil.agent.runtime.LoggingApplication;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.agent.runtime.TrackedTask;
import dev.waituntil.bootstrap.ServletHooks;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a registration belongs to, decided on the caller's thread. */
class RuntimeBridgeTest {

    /**
     * How long a test waits for what happens at once on an idle machine (a worker running a task) before it fails:
     * a guard against a hang, not a speed check, so far above what a loaded 2-core machine takes.
     */
    private static final long PATIENCE_SECONDS = 60;

    private final TaskRuntime runtime = new TaskRuntime(Config.defaults());
    private final RuntimeBridge bridge = new RuntimeBridge(runtime, new ServletRequests(runtime, false));
    private final ClassLoader shop = new URLClassLoader(new URL[0], getClass().getClassLoader());

    @AfterEach
    void stop() {
        runtime.shutdownExecutor();
    }

    /** The servlet API's own interface, answering as a container's request would. */
    private static Object request(Class<?> httpRequestInterface, String method, String uri, String contextPath) {
        return Proxy.newProxyInstance(
                httpRequestInterface.getClassLoader(), new Class<?>[] {httpRequestInterface}, (proxy, m, args) -> {
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

    private void serve(Object request, ClassLoader application, Runnable work) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application); // what the container does before calling the filter chain
        try {
            ServletHooks.enter(request);
            try {
                work.run();
            } finally {
                ServletHooks.exit();
            }
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void aTaskRegisteredInARequestNamesTheRequestAndItsApplication() {
        Object request = request(jakarta.servlet.http.HttpServletRequest.class, "POST", "/shop/order", "/shop");
        serve(request, shop, () -> {
            bridge.register("receipt", new CompletableFuture<>());
            bridge.register(null, new CompletableFuture<>());
            assertEquals(2, bridge.pending());
        });
        List<TrackedTask> tasks = runtime.pendingTasks();
        assertEquals(2, tasks.size());
        for (TrackedTask task : tasks) {
            assertEquals("POST", task.request().method());
            assertEquals("/shop/order", task.request().uri());
            assertEquals("/shop", task.scope().name(), "the application scope takes the context path as its name");
            assertSame(runtime.scopeOf(shop), task.scope());
        }
        assertEquals(tasks.get(0).request().id(), tasks.get(1).request().id(), "one request, one id");
        assertTrue(
                tasks.stream().anyMatch(t -> t.label().endsWith("from POST /shop/order")),
                "a generated label says where the task came from");
    }

    /** With the servlet hooks installed, as the agent does, so that requests are counted in flight. */
    private <T> T withHooks(java.util.concurrent.Callable<T> test) throws Exception {
        ServletHooks.install(new ServletRequests(runtime, false));
        try {
            return test.call();
        } finally {
            ServletHooks.install(null);
        }
    }

    @Test
    void aRequestThatArrivesAfterTheStopBeganIsServedAsWithoutTheAgentAndItsWorkIsDrained() throws Exception {
        withHooks(() -> {
            runtime.beginShutdown();
            Object request = request(jakarta.servlet.http.HttpServletRequest.class, "POST", "/shop/order", "/shop");
            CompletableFuture<String> receipt = new CompletableFuture<>();
            CompletableFuture<?>[] mail = new CompletableFuture<?>[1];
            serve(request, shop, () -> {
                bridge.register("receipt", receipt);
                mail[0] = bridge.run("mail", () -> {});
            });
            assertTrue(
                    runtime.pendingTasks().stream().anyMatch(t -> t.label().equals("receipt")),
                    "the request's registered task is tracked, not refused");
            assertEquals(0, runtime.rejectedCount(), "nothing was refused");
            new Thread(() -> receipt.complete("sent")).start();
            DrainReport report = runtime.drainForShutdown("a test's stop");
            assertFalse(report.timedOut(), report.toString());
            assertTrue(mail[0].isDone(), "the drain waited for the work the late request started");
            assertEquals(0, runtime.pendingEverywhere(), "the drain waited for the late request's task");
            return null;
        });
    }

    @Test
    void aRequestInFlightWhenTheStopBeginsMayStillRegisterAndARestartLiftsTheRefusal() throws Exception {
        withHooks(() -> {
            Object request = request(jakarta.servlet.http.HttpServletRequest.class, "POST", "/shop/order", "/shop");
            serve(request, shop, () -> {
                runtime.beginShutdown(); // the stop begins while this request is being served
                bridge.register("in flight", new CompletableFuture<>());
            });
            assertEquals(1, runtime.pendingEverywhere(), "the request in flight registered its task");
            runtime.reopenAfterRestart();
            serve(request, shop, () -> bridge.register("after the restart", new CompletableFuture<>()));
            assertEquals(2, runtime.pendingEverywhere(), "a server that starts again accepts work again");
            return null;
        });
    }

    @Test
    void javaxRequestsAreReadTheSameWay() {
        Object request = request(javax.servlet.http.HttpServletRequest.class, "GET", "/", "");
        serve(request, shop, () -> bridge.register("legacy", new CompletableFuture<>()));
        TrackedTask task = runtime.pendingTasks().get(0);
        assertEquals("GET / (request 1)", task.request().toString());
        assertEquals("/", task.scope().name(), "the root context is named /");
    }

    @Test
    void outsideARequestTheContextClassLoaderDecides() throws Exception {
        bridge.register("jvm task", new CompletableFuture<>());
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(shop);
        try {
            bridge.register("app task", new CompletableFuture<>());
            assertEquals(1, bridge.pending(), "pending() counts the caller's application only");
        } finally {
            thread.setContextClassLoader(before);
        }
        assertEquals(1, bridge.pending(), "and the JVM's own tasks for a caller of no application");
        for (TrackedTask task : runtime.pendingTasks()) {
            assertNull(task.request());
        }
    }

    @Test
    void whatARunTaskRegistersBelongsToTheTasksRequestAndApplicationWhateverTheWorkersLoader() throws Exception {
        Object request = request(jakarta.servlet.http.HttpServletRequest.class, "POST", "/shop/order", "/shop");
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<?>[] result = new CompletableFuture<?>[1];
        serve(
                request,
                shop,
                () -> result[0] = bridge.run("outer", () -> {
                    // A worker of a pool the application did not make: its loader says nothing of the application.
                    Thread.currentThread().setContextClassLoader(null);
                    bridge.register("inner", new CompletableFuture<>());
                    registered.countDown();
                }));
        assertTrue(registered.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        result[0].get(PATIENCE_SECONDS, TimeUnit.SECONDS);

        TrackedTask inner = runtime.pendingTasks().stream()
                .filter(t -> t.label().equals("inner"))
                .findFirst()
                .orElseThrow(AssertionError::new);
        assertEquals("POST /shop/order (request 1)", String.valueOf(inner.request()));
        assertSame(runtime.scopeOf(shop), inner.scope(), "the task's application, not the JVM's");
    }

    @Test
    void runAndSupplyWorkRunsWithTheRequestsApplicationLoader() throws Exception {
        Object request = request(jakarta.servlet.http.HttpServletRequest.class, "GET", "/shop/x", "/shop");
        CompletableFuture<?>[] result = new CompletableFuture<?>[1];
        serve(
                request,
                shop,
                () -> result[0] = bridge.supply(
                        "which loader", () -> Thread.currentThread().getContextClassLoader()));
        assertSame(shop, result[0].get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * The work takes the caller's own context class loader, which the application may have set to
     * another than its own; the task still belongs to the request's application.
     */
    @Test
    void runAndSupplyWorkRunsWithTheCallersOwnContextClassLoader() throws Exception {
        ClassLoader plugin = new URLClassLoader(new URL[0], shop);
        Object request = request(jakarta.servlet.http.HttpServletRequest.class, "GET", "/shop/x", "/shop");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<?>[] result = new CompletableFuture<?>[1];
        serve(request, shop, () -> {
            Thread.currentThread().setContextClassLoader(plugin);
            result[0] = bridge.supply("which loader", () -> {
                release.await();
                return Thread.currentThread().getContextClassLoader();
            });
        });
        assertSame(
                runtime.scopeOf(shop),
                runtime.pendingTasks().get(0).scope(),
                "it belongs to the request's application");
        release.countDown();
        assertSame(plugin, result[0].get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void aCallerWithNoContextClassLoaderGivesTheWorkItsApplicationsLoader() throws Exception {
        Object request = request(jakarta.servlet.http.HttpServletRequest.class, "GET", "/shop/x", "/shop");
        CompletableFuture<?>[] result = new CompletableFuture<?>[1];
        serve(request, shop, () -> {
            Thread.currentThread().setContextClassLoader(null);
            result[0] =
                    bridge.supply("which loader", () -> Thread.currentThread().getContextClassLoader());
        });
        assertSame(shop, result[0].get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    /** Through the bridge, as every API copy reaches it: the application's own MDC (logback's) goes along. */
    @Test
    void theRequestsMdcGoesAlongIntoTheWork() throws Exception {
        LoggingApplication app = LoggingApplication.of(
                "/logging", LoggingApplication.SLF4J_API, LoggingApplication.LOGBACK, LoggingApplication.LOGBACK_CORE);
        Object request = request(jakarta.servlet.http.HttpServletRequest.class, "POST", "/logging/order", "/logging");
        CompletableFuture<?>[] inside = new CompletableFuture<?>[1];
        serve(request, app.loader(), () -> {
            app.mdcPut("order", "42");
            try {
                inside[0] = bridge.supply("mdc", app::mdc);
            } finally {
                app.clearMdc();
            }
        });
        assertEquals(Map.of("order", "42"), inside[0].get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }
}
