package dev.waituntil;

import java.time.Duration;

/** A task that has not ended yet, as {@link TaskMonitor#pendingTasks()} lists it: a snapshot, not a live view. */
public final class PendingTask {

    private final String application;
    private final long id;
    private final String label;
    private final String request;
    private final Duration age;

    PendingTask(String application, long id, String label, String request, Duration age) {
        this.application = application;
        this.id = id;
        this.label = label;
        this.request = request;
        this.age = age;
    }

    /**
     * The application the task belongs to.
     *
     * @return its context path once the runtime knows it ({@code /shop}), else a description of its class loader;
     *     {@code JVM} for a task of no application (and for every task in standalone mode)
     */
    public String application() {
        return application;
    }

    /**
     * The task's number, unique in its runtime, as its start and end events give it.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * The task's label, as every log line about it names it.
     *
     * @return the label given at registration, or the one generated for it
     */
    public String label() {
        return label;
    }

    /**
     * The request that started the task.
     *
     * @return {@code GET /orders (request 12)}, or null for a task started outside a request (and in standalone mode)
     */
    public String request() {
        return request;
    }

    /**
     * How long ago the task was registered, when the snapshot was taken.
     *
     * @return the age
     */
    public Duration age() {
        return age;
    }

    /**
     * One line, as the runtime's log names a task.
     *
     * @return {@code 'label' (age 1234 ms, request GET /x (request 7), application /shop)}
     */
    @Override
    public String toString() {
        return "'" + label + "' (age " + age.toMillis() + " ms" + (request == null ? "" : ", request " + request)
                + ", application " + application + ")";
    }
}
