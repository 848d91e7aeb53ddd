package dev.waituntil;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** A task was accepted: registered, started with {@code run}/{@code supply}, or captured on its way to an executor. */
public final class TaskStarted {

    private final String application;
    private final long id;
    private final String label;
    private final String request;
    private final CompletableFuture<?> end;
    private final Function<Object, TaskEnded> toEvent;

    TaskStarted(
            String application,
            long id,
            String label,
            String request,
            CompletableFuture<?> end,
            Function<Object, TaskEnded> toEvent) {
        this.application = application;
        this.id = id;
        this.label = label;
        this.request = request;
        this.end = end;
        this.toEvent = toEvent;
    }

    /**
     * The application the task belongs to; see {@link PendingTask#application()}.
     *
     * @return its name, or {@code JVM}
     */
    public String application() {
        return application;
    }

    /**
     * The task's number, unique in its runtime; its {@link TaskEnded} has the same.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * The task's label.
     *
     * @return the label given at registration, or the one generated for it
     */
    public String label() {
        return label;
    }

    /**
     * The request that started the task.
     *
     * @return {@code GET /orders (request 12)}, or null outside a request
     */
    public String request() {
        return request;
    }

    /**
     * The task's end, to wait on: completes (normally, whatever the outcome) with the same event that
     * {@link TaskListener#taskEnded} receives. Each call returns a new stage; completing it from outside changes
     * nothing for anyone else.
     *
     * @return a stage completed when the task ends
     */
    public CompletionStage<TaskEnded> end() {
        return end.thenApply(toEvent);
    }

    /**
     * One line for logs.
     *
     * @return a description
     */
    @Override
    public String toString() {
        return "task '" + label + "' started" + (request == null ? "" : " by " + request) + " in application "
                + application;
    }
}
