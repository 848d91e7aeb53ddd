package dev.waituntil.agent.instrumentation.servlet;

import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.bootstrap.RequestContext;
import dev.waituntil.bootstrap.RequestHookTarget;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Turns the container's request object into a {@link RequestInfo}, only when a task or an async
 * start needs it: a request that registers nothing is never read. Works for {@code javax.servlet}
 * and {@code jakarta.servlet} alike, through the request's own {@code HttpServletRequest} interface.
 */
public final class ServletRequests implements RequestHookTarget {

    private static final Logger LOG = AgentLog.get(ServletRequests.class);

    private final TaskRuntime runtime;
    private final boolean debug;
    private final AtomicLong ids = new AtomicLong();

    public ServletRequests(TaskRuntime runtime, boolean debug) {
        this.runtime = runtime;
        this.debug = debug;
    }

    @Override
    public RequestInfo describe(RequestContext context) {
        Object known = context.description();
        if (known instanceof RequestInfo) {
            return (RequestInfo) known;
        }
        Object request = context.request();
        Accessors accessors = ACCESSORS.get(request.getClass());
        RequestInfo info = new RequestInfo(
                accessors.call(accessors.method, request, "?"),
                accessors.call(accessors.uri, request, "?"),
                ids.incrementAndGet());
        context.describeAs(info);
        Scope scope = runtime.scopeOf(context.application());
        if (!scope.isRoot() && !scope.isNamed() && accessors.contextPath != null) {
            String path = accessors.call(accessors.contextPath, request, "");
            scope.rename(path.isEmpty() ? "/" : path);
        }
        return info;
    }

    @Override
    public Object requestStarted(ClassLoader application) {
        return runtime.requestStarted(application);
    }

    @Override
    public void requestEnded(Object scope) {
        runtime.requestEnded((Scope) scope);
    }

    @Override
    public void asyncStarted(RequestContext context, Object asyncContext) {
        RequestInfo info = describe(context);
        if (!info.markAsync()) {
            return;
        }
        Scope counted = (Scope) context.scope();
        if (AsyncCompletion.listen(asyncContext, info, counted, runtime, debug)) {
            // Still in flight after service() returns: the listener ends it when the async request completes.
            context.markAsync();
            if (debug) {
                LOG.info("wait-until: request {} went async; its scope lasts until it completes", info);
            }
        }
    }

    /** Per request class: the HttpServletRequest methods we read, found once. */
    private static final ClassValue<Accessors> ACCESSORS = new ClassValue<Accessors>() {
        @Override
        protected Accessors computeValue(Class<?> type) {
            return new Accessors(type);
        }
    };

    private static final class Accessors {
        /** The accessors take no argument; a shared empty array spares the one javac would make per call. */
        private static final Object[] NO_ARGUMENTS = new Object[0];

        final Method method;
        final Method uri;
        final Method contextPath;

        Accessors(Class<?> requestType) {
            Class<?> http = findInterface(requestType, "javax.servlet.http.HttpServletRequest");
            if (http == null) {
                http = findInterface(requestType, "jakarta.servlet.http.HttpServletRequest");
            }
            method = http == null ? null : publicMethod(http, "getMethod");
            uri = http == null ? null : publicMethod(http, "getRequestURI");
            contextPath = http == null ? null : publicMethod(http, "getContextPath");
        }

        String call(Method accessor, Object request, String fallback) {
            if (accessor == null) {
                return fallback;
            }
            try {
                Object value = accessor.invoke(request, NO_ARGUMENTS);
                return value == null ? fallback : value.toString();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return fallback;
            }
        }

        private static Method publicMethod(Class<?> type, String name) {
            try {
                return type.getMethod(name);
            } catch (NoSuchMethodException e) {
                return null;
            }
        }

        private static Class<?> findInterface(Class<?> type, String name) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (i.getName().equals(name)) {
                        return i;
                    }
                    Class<?> found = findInterface(i, name);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }
    }
}
