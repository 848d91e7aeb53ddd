package dev.waituntil.bootstrap;

/**
 * What the servlet advice calls. The advice is inlined into servlet, filter and container classes
 * of any class loader, so it may reference only classes that every loader can see: this package,
 * on the bootstrap class path, and the JDK. The advice suppresses anything these methods throw:
 * the agent must never break a request.
 */
public final class ServletHooks {

    private static volatile RequestHookTarget target;

    private ServletHooks() {}

    /** Called once by the agent when its runtime is ready. */
    public static void install(RequestHookTarget agent) {
        target = agent;
    }

    /** Entry of {@code Servlet.service} or {@code Filter.doFilter}: the outermost one counts the request in flight. */
    public static void enter(Object request) {
        RequestContext context = RequestContext.current();
        if (context.enter(request, Thread.currentThread().getContextClassLoader(), null)) {
            RequestHookTarget agent = target;
            if (agent != null) {
                context.scope = agent.requestStarted(context.application);
            }
        }
    }

    /** Exit of {@code Servlet.service} or {@code Filter.doFilter}, normal or by exception. */
    public static void exit() {
        RequestContext context = RequestContext.current();
        Object scope = context.scope;
        boolean async = context.async;
        RequestHookTarget agent = target;
        if (context.exit() && scope != null && !async && agent != null) {
            agent.requestEnded(scope);
        }
    }

    /** {@code AsyncContext.start(Runnable)}: the runnable will serve the current request on another thread. */
    public static Runnable propagate(Runnable task) {
        RequestContext context = RequestContext.active();
        RequestHookTarget agent = target;
        if (context == null || task == null || agent == null || task instanceof ScopedRunnable) {
            return task;
        }
        return new ScopedRunnable(task, context.request, context.application, agent.describe(context));
    }

    /** Exit of {@code ServletRequest.startAsync}: the request will outlive this call. */
    public static void asyncStarted(Object request, Object asyncContext) {
        RequestHookTarget agent = target;
        RequestContext context = RequestContext.active();
        if (agent != null && context != null && asyncContext != null) {
            agent.asyncStarted(context, asyncContext);
        }
    }

    /**
     * Runs {@code task} as part of a request, with the request's context on this thread. Not counted in
     * flight again: the async request it belongs to is counted until it completes.
     */
    static void runInRequest(Runnable task, Object request, ClassLoader application, Object description) {
        RequestContext context = RequestContext.current();
        context.enter(request, application, description);
        try {
            task.run();
        } finally {
            context.exit();
        }
    }
}
