package dev.waituntil;

/**
 * Thrown by {@link WaitUntil#register(CompletableFuture) register}, {@link WaitUntil#run run} and
 * {@link WaitUntil#supply supply} when a task cannot be accepted: its scope (the web application,
 * or the whole JVM) has already been drained, because it is stopping or because an operator drained
 * it, or the executor's queue is full. The message names the task's label and the reason. Work is never
 * dropped silently: when this is thrown by {@code run} or {@code supply}, the work has not been started.
 */
public class RejectedTaskException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with the message the caller will read.
     *
     * @param message the task's label and why it was not accepted
     */
    public RejectedTaskException(String message) {
        super(message);
    }
}
