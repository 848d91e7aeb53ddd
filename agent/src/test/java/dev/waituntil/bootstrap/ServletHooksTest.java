package dev.waituntil.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.instrumentation.servlet.ServletRequests;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-thread request scope that the servlet advice drives, without any bytecode involved. */
class ServletHooksTest {

    private final Object request = new Object();

    @AfterEach
    void noScopeLeftBehind() {
        assertNull(RequestContext.active(), "a test left a request scope on its thread");
        ServletHooks.install(null);
    }

    @Test
    void theOutermostCallOpensTheScopeAndItsExitClosesIt() {
        assertNull(RequestContext.active());
        ServletHooks.enter(request); // Filter.doFilter
        ServletHooks.enter(new Object()); // Servlet.service, with a wrapped request
        ServletHooks.enter(new Object()); // RequestDispatcher.include
        RequestContext context = RequestContext.active();
        assertSame(request, context.request(), "the outermost call's request is the request");
        assertSame(Thread.currentThread().getContextClassLoader(), context.application());
        ServletHooks.exit();
        ServletHooks.exit();
        assertSame(request, RequestContext.active().request());
        ServletHooks.exit();
        assertNull(RequestContext.active());
        assertNull(RequestContext.current().request, "no reference to the request is kept");
        assertNull(RequestContext.current().application, "no reference to the application is kept");
    }

    @Test
    void aRequestThatThrowsLeavesNoScopeBehind() {
        // What the inlined advice does: exit runs on the exceptional path too (onThrowable).
        assertThrows(IllegalStateException.class, () -> {
            ServletHooks.enter(request);
            try {
                throw new IllegalStateException("servlet failed");
            } finally {
                ServletHooks.exit();
            }
        });
        assertNull(RequestContext.active());
        Object next = new Object();
        ServletHooks.enter(next);
        assertSame(next, RequestContext.active().request(), "the next request on this thread is its own");
        ServletHooks.exit();
    }

    @Test
    void anExitWithoutEntryIsHarmless() {
        // E.g. the entry advice failed and was suppressed, or the class was retransformed mid-request.
        ServletHooks.exit();
        ServletHooks.exit();
        ServletHooks.enter(request);
        assertSame(request, RequestContext.active().request());
        ServletHooks.exit();
    }

    @Test
    void aRunnableForAsyncContextStartCarriesTheRequestToItsThread() throws Exception {
        ServletHooks.install(new RequestHookTarget() {
            @Override
            public Object requestStarted(ClassLoader application) {
                return "counted";
            }

            @Override
            public void requestEnded(Object scope) {}

            @Override
            public Object describe(RequestContext context) {
                if (context.description() == null) {
                    context.describeAs("GET /x (request 1)");
                }
                return context.description();
            }

            @Override
            public void asyncStarted(RequestContext context, Object asyncContext) {}
        });
        AtomicReference<Object> seenRequest = new AtomicReference<>();
        AtomicReference<Object> seenDescription = new AtomicReference<>();
        Runnable task = () -> {
            seenRequest.set(RequestContext.active().request());
            seenDescription.set(RequestContext.active().description());
        };
        ServletHooks.enter(request);
        Runnable carried = ServletHooks.propagate(task);
        ServletHooks.exit();
        assertNotSame(task, carried);
        assertSame(carried, ServletHooks.propagate(carried), "never wrapped twice");

        Thread other = new Thread(() -> {
            carried.run();
            if (RequestContext.active() != null) {
                throw new AssertionError("scope left on the async thread");
            }
        });
        other.start();
        other.join();
        assertSame(request, seenRequest.get());
        assertEquals("GET /x (request 1)", seenDescription.get(), "the same request, described once");
    }

    @Test
    void outsideARequestOrWithoutTheAgentNothingIsWrapped() {
        Runnable task = () -> {};
        assertSame(task, ServletHooks.propagate(task));
        ServletHooks.enter(request);
        assertSame(task, ServletHooks.propagate(task), "no agent installed: no wrapper");
        ServletHooks.exit();
    }

    @Test
    void aRequestThatRegistersNothingAllocatesNothing() {
        // With the agent's real target: the request is counted in flight in its application's scope.
        TaskRuntime runtime = new TaskRuntime(Config.defaults());
        ServletHooks.install(new ServletRequests(runtime, false));
        ClassLoader application = new URLClassLoader(new URL[0], getClass().getClassLoader());
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(application);
        try {
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = thread.getId();
            for (int i = 0; i < 20_000; i++) { // warm up: the thread's context and the scope are created once
                ServletHooks.enter(request);
                ServletHooks.exit();
            }
            long start = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 100_000; i++) {
                ServletHooks.enter(request);
                ServletHooks.enter(request);
                ServletHooks.exit();
                ServletHooks.exit();
            }
            long allocated = threads.getThreadAllocatedBytes(id) - start;
            System.out.printf("100 000 requests through the servlet hooks allocated %d bytes%n", allocated);
            // The bean's own bookkeeping may show a few hundred bytes; one byte per request would be 100 000.
            assertTrue(allocated < 4096, "100 000 requests allocated " + allocated + " bytes");
            assertEquals(0, runtime.scopeOf(application).requestsInFlight(), "every request counted out again");
        } finally {
            thread.setContextClassLoader(before);
            runtime.shutdownExecutor();
        }
    }

    @Test
    void requestsAreInFlightFromTheOutermostEntryToItsExit() {
        TaskRuntime runtime = new TaskRuntime(Config.defaults());
        ServletHooks.install(new ServletRequests(runtime, false));
        try {
            ServletHooks.enter(request);
            ServletHooks.enter(request);
            assertEquals(1, runtime.jvm().requestsInFlight(), "a filter chain and its servlet are one request");
            ServletHooks.exit();
            assertEquals(1, runtime.jvm().requestsInFlight());
            ServletHooks.exit();
            assertEquals(0, runtime.jvm().requestsInFlight());
        } finally {
            runtime.shutdownExecutor();
        }
    }
}
