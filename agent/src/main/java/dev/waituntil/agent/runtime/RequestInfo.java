package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.LogText;

/**
 * The request a task came from, as its log lines name it. Plain strings only: a task may outlive
 * its request by minutes, and must not keep the container's request object alive.
 */
public final class RequestInfo {

    private final String method;
    private final String uri;
    private final long id;
    private volatile boolean async;
    private volatile boolean completed;
    /**
     * The futures of this request's captured work ({@code runAsync}'s) that has ended, the last {@link #ENDED_KEPT}
     * of them, for {@link CapturedFutures}: a registration of one after its work ended must not count it again.
     * Made with the first; lives as long as the request's description, no longer than the request and its tasks.
     */
    private volatile Object[] endedCapturedWork;

    private int nextEnded;

    /** How many ended futures a request remembers: a registration comes right after its {@code runAsync}. */
    static final int ENDED_KEPT = 16;

    public RequestInfo(String method, String uri, long id) {
        this.method = method;
        this.uri = uri;
        this.id = id;
    }

    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    public long id() {
        return id;
    }

    /** @return true the first time: the request has gone async and its scope now outlives service() */
    public synchronized boolean markAsync() {
        if (async) {
            return false;
        }
        async = true;
        return true;
    }

    public boolean isAsync() {
        return async;
    }

    /** @return true the first time: the async request has completed (or failed, or timed out) and its scope ends */
    public synchronized boolean markCompleted() {
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }

    public boolean isCompleted() {
        return completed;
    }

    /** Captured work of this request that completes {@code future} has ended. */
    synchronized void capturedWorkEnded(Object future) {
        Object[] ended = endedCapturedWork;
        if (ended == null) {
            ended = endedCapturedWork = new Object[ENDED_KEPT];
        }
        ended[nextEnded] = future;
        nextEnded = (nextEnded + 1) % ENDED_KEPT;
    }

    /** Whether {@code future} is among the last futures of this request's captured work to end. */
    boolean endedCapturedWork(Object future) {
        if (endedCapturedWork == null) {
            return false; // the common case, without the lock: none of its captured runAsync work has ended
        }
        synchronized (this) {
            for (Object f : endedCapturedWork) {
                if (f == future) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code GET /orders/42 (request 17)} */
    @Override
    public String toString() {
        return method + " " + LogText.escape(uri) + " (request " + id + ")";
    }
}
