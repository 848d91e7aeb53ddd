package dev.waituntil.bootstrap;

/**
 * The request a thread is serving, if any: set by the outermost {@code Servlet.service} or
 * {@code Filter.doFilter} of a request and cleared when that call ends, however it ends.
 *
 * <p>One instance per thread, reused for every request that thread serves, so a request that
 * registers nothing allocates nothing. It lives on the bootstrap class path with the rest of this
 * package: its {@code ThreadLocal} and its class belong to no application, and it holds the
 * request and the application's class loader only while the request is being served, so it never
 * pins an undeployed application.
 */
public final class RequestContext {

    private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<RequestContext>() {
        @Override
        protected RequestContext initialValue() {
            RequestContext context = new RequestContext();
            // A thread captured at its start is its own task, whatever its run() is: what it hands over is captured.
            context.task = CaptureHooks.threadRecord(Thread.currentThread());
            return context;
        }
    };

    /** Nesting of service/doFilter calls: filter chains, forwards and includes are one request. */
    int depth;
    /** The container's request object. */
    Object request;
    /** The web application: the context class loader when the request entered. */
    ClassLoader application;
    /** What the agent made of the request (method, URI, id), once a task or async needed it. */
    Object description;
    /** The application scope that counts this request in flight; null where it is not counted. */
    Object scope;
    /** The request went async: it stays in flight after service() returns, until it completes. */
    boolean async;
    /**
     * The tracked task this thread runs now (the agent's record of it), or null: work it hands to an executor is
     * captured as work of the same request. Independent of the request fields, which a request's end clears.
     */
    Object task;
    /** Set while the agent decides on a capture: an executor it uses meanwhile is not captured. */
    boolean capturing;
    /**
     * Inside {@code CompletableFuture}'s {@code runAsync} or {@code supplyAsync}: a marker until the task it hands
     * over is captured, then the record of that capture; else null. See {@link CaptureHooks#asyncStageEntered}.
     */
    Object stage;

    RequestContext() {}

    static RequestContext current() {
        return CURRENT.get();
    }

    /** The context of the request this thread is serving, or null outside a request. */
    public static RequestContext active() {
        RequestContext context = CURRENT.get();
        return context.depth > 0 ? context : null;
    }

    /**
     * Marks this thread as running {@code task}, the agent's record of a tracked task, until {@link #exitTask}: work
     * handed to an executor meanwhile belongs to the same request and application.
     *
     * @return the task marked before, to give back to {@link #exitTask}
     */
    public static Object enterTask(Object task) {
        RequestContext context = CURRENT.get();
        Object outer = context.task;
        context.task = task;
        return outer;
    }

    /** The end of {@link #enterTask}: {@code outer} is what it returned. */
    public static void exitTask(Object outer) {
        CURRENT.get().task = outer;
    }

    /** The tracked task the calling thread runs now, or null: see {@link #enterTask}. */
    public static Object runningTask() {
        return CURRENT.get().task;
    }

    /** The tracked task this thread runs now (see {@link #enterTask}), or null. */
    public Object task() {
        return task;
    }

    public Object request() {
        return request;
    }

    public ClassLoader application() {
        return application;
    }

    public Object description() {
        return description;
    }

    public void describeAs(Object value) {
        this.description = value;
    }

    public Object scope() {
        return scope;
    }

    /** The request went async; from now on its end is the async completion, not the return of service(). */
    public void markAsync() {
        this.async = true;
    }

    /** @return true if this is the outermost call of the request */
    boolean enter(Object request, ClassLoader application, Object description) {
        if (depth++ == 0) {
            this.request = request;
            this.application = application;
            this.description = description;
            return true;
        }
        return false;
    }

    /** @return true if the request's outermost call has ended */
    boolean exit() {
        if (depth > 0 && --depth == 0) {
            request = null;
            application = null;
            description = null;
            scope = null;
            async = false;
            return true;
        }
        return false;
    }
}
