package dev.waituntil;

/**
 * Hears tasks start and end and drains end; see {@link TaskMonitor#addListener}. Every method has an empty default:
 * implement the ones you need.
 *
 * <p>Methods run on the thread where the event happens (the one that registered the task, or that completed it) and
 * must return quickly: update a meter, complete a future, hand the event on. Whatever they throw is caught and
 * logged once per listener; it affects neither the task nor other listeners.
 */
public interface TaskListener {

    /**
     * A task was accepted.
     *
     * @param event the task, with a stage to wait for its end
     */
    default void taskStarted(TaskStarted event) {}

    /**
     * A task ended, or was refused.
     *
     * @param event the task and how it ended
     */
    default void taskEnded(TaskEnded event) {}

    /**
     * A drain ended.
     *
     * @param event what was drained, how long it took, and whether it reached its deadline
     */
    default void drainEnded(DrainEnded event) {}
}
