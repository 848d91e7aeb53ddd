package dev.waituntil.agent.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.TestConfigs;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener that ends an async request, on async contexts of both servlet APIs. A container's own async context
 * exists only inside a request it serves, so these are proxies of the API's interface: the interface is what the
 * agent looks for and calls.
 */
class AsyncCompletionTest {

    private final TaskRuntime runtime = new TaskRuntime(TestConfigs.of("drain.timeout=60s"));
    private final ClassLoader application =
            new URLClassLoader(new URL[0], getClass().getClassLoader());
    private final RequestInfo request = new RequestInfo("GET", "/report", 1);

    @AfterEach
    void stop() {
        runtime.shutdownExecutor();
    }

    /**
     * An async context of the servlet API {@code apiType} ({@code jakarta.servlet.AsyncContext} or the javax one)
     * that keeps the listeners added to it.
     */
    private static final class Context {
        final List<Object> listeners = new ArrayList<>();
        final Object context;

        Context(Class<?> apiType) {
            context = Proxy.newProxyInstance(
                    apiType.getClassLoader(), new Class<?>[] {apiType}, (proxy, method, args) -> {
                        if (method.getName().equals("addListener") && args.length == 1) {
                            listeners.add(args[0]);
                        }
                        return null;
                    });
        }

        jakarta.servlet.AsyncListener jakartaListener() {
            assertEquals(1, listeners.size(), listeners.toString());
            return (jakarta.servlet.AsyncListener) listeners.get(0);
        }
    }

    @Test
    void theEndOfAnAsyncRequestEndsItInFlightOnceWhicheverWayItEnds() throws Exception {
        Scope scope = runtime.requestStarted(application);
        Context context = new Context(jakarta.servlet.AsyncContext.class);

        assertTrue(AsyncCompletion.listen(context.context, request, scope, runtime, false));
        assertEquals(1, scope.requestsInFlight(), "in flight until the async request ends");

        jakarta.servlet.AsyncListener listener = context.jakartaListener();
        listener.onTimeout(null);
        assertEquals(0, scope.requestsInFlight());
        assertTrue(request.isCompleted());
        listener.onError(null);
        listener.onComplete(null); // a timeout is followed by the completion: counted once
        assertEquals(0, scope.requestsInFlight());
    }

    @Test
    void aJavaxContextIsListenedToThroughTheJavaxApi() throws Exception {
        Scope scope = runtime.requestStarted(application);
        Context context = new Context(javax.servlet.AsyncContext.class);

        assertTrue(AsyncCompletion.listen(context.context, request, scope, runtime, false));
        assertEquals(1, context.listeners.size());
        ((javax.servlet.AsyncListener) context.listeners.get(0)).onComplete(null);

        assertEquals(0, scope.requestsInFlight());
        assertTrue(request.isCompleted());
    }

    @Test
    void aNewStartAsyncMovesTheListenerToTheNewContext() throws Exception {
        Scope scope = runtime.requestStarted(application);
        Context first = new Context(jakarta.servlet.AsyncContext.class);
        Context second = new Context(jakarta.servlet.AsyncContext.class);
        AsyncCompletion.listen(first.context, request, scope, runtime, false);

        jakarta.servlet.AsyncContext next = (jakarta.servlet.AsyncContext) second.context;
        first.jakartaListener().onStartAsync(new jakarta.servlet.AsyncEvent(next));
        assertEquals(1, second.listeners.size(), "the container drops the listeners at a new startAsync");
        assertEquals(1, scope.requestsInFlight());

        second.jakartaListener().onComplete(null);
        assertEquals(0, scope.requestsInFlight());
    }

    @Test
    void aRequestNotCountedInFlightIsStillMarkedCompleted() throws Exception {
        Context context = new Context(jakarta.servlet.AsyncContext.class);
        assertTrue(AsyncCompletion.listen(context.context, request, null, runtime, false));
        context.jakartaListener().onComplete(null);
        assertTrue(request.isCompleted());
    }

    @Test
    void anObjectThatIsNoAsyncContextIsNotListenedTo() {
        Scope scope = runtime.requestStarted(application);
        assertFalse(AsyncCompletion.listen(new Object(), request, scope, runtime, false));
        assertEquals(1, scope.requestsInFlight(), "its end is the return of service()");
    }

    @Test
    void theListenerIsItselfToEqualsHashCodeAndToString() throws Exception {
        Context context = new Context(jakarta.servlet.AsyncContext.class);
        AsyncCompletion.listen(context.context, request, null, runtime, false);
        Object listener = context.jakartaListener();
        assertEquals(listener, listener);
        assertFalse(listener.equals(new Object()));
        assertEquals(System.identityHashCode(listener), listener.hashCode());
        assertEquals("wait-until listener of " + request, listener.toString());
    }
}
