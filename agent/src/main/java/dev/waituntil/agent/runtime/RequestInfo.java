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
     * The futures of this request's captured work ({@code runAsync}'s) that has ended, the last {@link
     * EndedFutures#KEPT} of them, for {@link CapturedFutures}: a registration of one after its work ended must not count
     * it again. Made with the first; lives as long as the request's description, no longer than the request and its
     * tasks.
     */
    private volatile EndedFutures endedCapturedWork;

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
    void capturedWorkEnded(Object future) {
        EndedFutures ended = endedCapturedWork;
        if (ended == null) {
            synchronized (this) {
                ended = endedCapturedWork;
                if (ended == null) {
                    ended = endedCapturedWork = new EndedFutures();
                }
            }
        }
        ended.add(future);
    }

    /** Whether {@code future} is among the last futures of this request's captured work to end. */
    boolean endedCapturedWork(Object future) {
        EndedFutures ended = endedCapturedWork;
        return ended != null && ended.contains(future); // null, the common case: no lock taken
    }

    /** {@code GET /orders/42 (request 17)} */
    @Override
    public String toString() {
        return method + " " + LogText.escape(uri) + " (request " + id + ")";
    }
}
