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

    /** {@code GET /orders/42 (request 17)} */
    @Override
    public String toString() {
        return method + " " + LogText.escape(uri) + " (request " + id + ")";
    }
}
