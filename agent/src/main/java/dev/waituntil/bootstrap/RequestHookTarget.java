package dev.waituntil.bootstrap;

/** What the agent does for the servlet hooks; implemented in the agent, installed into {@link ServletHooks}. */
public interface RequestHookTarget {

    /** A request entered the application of {@code application}: returns what counts it in flight. Must not allocate. */
    Object requestStarted(ClassLoader application);

    /** The request counted by {@code scope} ended. */
    void requestEnded(Object scope);

    /** The request's description (method, URI, id), made once per request and kept in the context. */
    Object describe(RequestContext context);

    /** The request went async: its scope lives until the async request completes. */
    void asyncStarted(RequestContext context, Object asyncContext);
}
