package dev.waituntil;

import java.time.Duration;

/** A task ended, or was refused ({@link TaskOutcome#REJECTED}). */
public final class TaskEnded {

    private final String application;
    private final long id;
    private final String label;
    private final String request;
    private final TaskOutcome outcome;
    private final Duration duration;
    private final Throwable failure;

    TaskEnded(
            String application,
            long id,
            String label,
            String request,
            TaskOutcome outcome,
            Duration duration,
            Throwable failure) {
        this.application = application;
        this.id = id;
        this.label = label;
        this.request = request;
        this.outcome = outcome;
        this.duration = duration;
        this.failure = failure;
    }

    /**
     * The application the task belonged to; see {@link PendingTask#application()}.
     *
     * @return its name, or {@code JVM}
     */
    public String application() {
        return application;
    }

    /**
     * The task's number, as its {@link TaskStarted} gave it.
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
     * How the task ended.
     *
     * @return the outcome
     */
    public TaskOutcome outcome() {
        return outcome;
    }

    /**
     * How long the task took, from its registration to its end.
     *
     * @return the duration; {@link Duration#ZERO} for a rejected task
     */
    public Duration duration() {
        return duration;
    }

    /**
     * What the task threw.
     *
     * @return the exception (unwrapped from a {@code CompletionException}) for {@link TaskOutcome#FAILED}, else null
     */
    public Throwable failure() {
        return failure;
    }

    /**
     * One line for logs.
     *
     * @return a description
     */
    @Override
    public String toString() {
        return "task '" + label + "' " + outcome.tag() + " after " + duration.toMillis() + " ms in application "
                + application + (failure == null ? "" : ": " + failure);
    }
}
