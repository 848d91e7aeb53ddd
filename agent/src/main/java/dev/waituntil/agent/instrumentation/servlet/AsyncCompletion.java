package dev.waituntil.agent.instrumentation.servlet;

import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;

/**
 * Learns when an async request ends, with an {@code AsyncListener} of the request's own servlet
 * API ({@code javax} or {@code jakarta}). The listener is a {@link Proxy} of that interface, so no
 * class of ours has to be injected into the container's class loader.
 */
final class AsyncCompletion implements InvocationHandler {

    private static final Logger LOG = AgentLog.get(AsyncCompletion.class);

    private final RequestInfo request;
    /** The scope counting the request in flight, or null if it is not counted. */
    private final Scope inFlight;

    private final TaskRuntime runtime;
    private final boolean debug;
    private final Class<?> contextType;
    private final Class<?> listenerType;

    private AsyncCompletion(
            RequestInfo request,
            Scope inFlight,
            TaskRuntime runtime,
            boolean debug,
            Class<?> contextType,
            Class<?> listenerType) {
        this.request = request;
        this.inFlight = inFlight;
        this.runtime = runtime;
        this.debug = debug;
        this.contextType = contextType;
        this.listenerType = listenerType;
    }

    /** @return whether the listener is in place, so that the request's end will be seen */
    static boolean listen(
            Object asyncContext, RequestInfo request, Scope inFlight, TaskRuntime runtime, boolean debug) {
        try {
            Class<?> contextType = findAsyncContextInterface(asyncContext.getClass());
            if (contextType == null) {
                return false;
            }
            String servletPackage = contextType.getPackage().getName();
            Class<?> listenerType =
                    Class.forName(servletPackage + ".AsyncListener", false, contextType.getClassLoader());
            new AsyncCompletion(request, inFlight, runtime, debug, contextType, listenerType).addTo(asyncContext);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn(
                    "wait-until: cannot follow the async request {} to its end ({}); its tasks are still tracked",
                    request,
                    e.toString());
            return false;
        }
    }

    private void addTo(Object asyncContext) throws ReflectiveOperationException {
        Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType}, this);
        contextType.getMethod("addListener", listenerType).invoke(asyncContext, listener);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "onComplete":
            case "onError":
            case "onTimeout":
                if (request.markCompleted()) {
                    if (inFlight != null) {
                        runtime.requestEnded(inFlight);
                    }
                    if (debug) {
                        LOG.info("wait-until: async request {} ended ({})", request, method.getName());
                    }
                }
                return null;
            case "onStartAsync":
                // A new startAsync drops the listeners; the event carries the new context to rejoin.
                Object event = args[0];
                addTo(event.getClass().getMethod("getAsyncContext").invoke(event));
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "wait-until listener of " + request;
            default:
                return null;
        }
    }

    private static Class<?> findAsyncContextInterface(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals("javax.servlet.AsyncContext")
                        || i.getName().equals("jakarta.servlet.AsyncContext")) {
                    return i;
                }
            }
        }
        return null;
    }
}
