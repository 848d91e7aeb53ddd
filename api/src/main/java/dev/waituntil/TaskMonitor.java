package dev.waituntil;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What the runtime is doing, for meters, health endpoints and tests: the pending tasks, the counts, and listeners of
 * tasks' starts and ends and of drains. Works with the agent (where it sees the tasks of every application in the
 * JVM) and without it (where it sees the tasks of this copy of the API only, under the application name {@code JVM}).
 *
 * <pre>{@code
 * try (TaskSubscription s = TaskMonitor.addListener(new TaskListener() {
 *     public void taskEnded(TaskEnded e) {
 *         if (e.outcome() == TaskOutcome.FAILED) alerts.send(e.label() + " failed: " + e.failure());
 *     }
 * })) {
 *     ...
 * }
 * }</pre>
 *
 * <h2>Applications</h2>
 * "The caller's application" is decided as for a registration: inside a request, the request's web application;
 * inside a task, the task's; elsewhere, the application of the thread's context class loader, or the JVM's own scope
 * when there is none. The {@code ...OfEveryApplication} variants see every application of the JVM, which is what a
 * Spring Boot application or an operator wants; a web application in a shared container may prefer its own.
 *
 * <h2>Listeners and class loaders</h2>
 * A listener is owned by the application that adds it: the agent drops it when that application is drained (its
 * undeploy), so that it never keeps a stopped application's classes alive; close its {@link TaskSubscription} to
 * remove it earlier. A listener costs the runtime nothing while none is added: no allocation per task.
 *
 * <h2>Against an older agent</h2>
 * An agent older than this API offers no observation: lists are then empty, {@link #statistics()} throws, and
 * listeners are inactive ({@link TaskSubscription#isActive()}), with one warning in the log. Registration is not
 * affected.
 */
public final class TaskMonitor {

    private TaskMonitor() {}

    /**
     * The pending tasks of the caller's application, oldest first.
     *
     * @return a snapshot
     */
    public static List<PendingTask> pendingTasks() {
        return Collections.unmodifiableList(WaitUntil.backend().pendingTasks(false));
    }

    /**
     * The pending tasks of every application in the JVM (and of the JVM's own scope), oldest first.
     *
     * @return a snapshot
     */
    public static List<PendingTask> pendingTasksOfEveryApplication() {
        return Collections.unmodifiableList(WaitUntil.backend().pendingTasks(true));
    }

    /**
     * The age of the oldest pending task of the caller's application.
     *
     * @return the age, {@link Duration#ZERO} when nothing is pending
     */
    public static Duration oldestPendingAge() {
        Duration oldest = Duration.ZERO;
        for (PendingTask task : WaitUntil.backend().pendingTasks(false)) {
            if (task.age().compareTo(oldest) > 0) {
                oldest = task.age();
            }
        }
        return oldest;
    }

    /**
     * The counts of the caller's application.
     *
     * @return a snapshot
     * @throws UnsupportedOperationException if the attached agent is older than this API and keeps no counts per
     *     application
     */
    public static TaskStatistics statistics() {
        List<TaskStatistics> own = WaitUntil.backend().statistics(false);
        if (own.isEmpty()) {
            throw new UnsupportedOperationException("wait-until: the agent attached to this JVM is older than this API"
                    + " and keeps no counts per application; upgrade the agent to the API's version");
        }
        return own.get(0);
    }

    /**
     * The counts of every application that has used wait-until, and of the JVM's own scope ({@code JVM}).
     *
     * @return a snapshot; empty against an agent older than this API
     */
    public static List<TaskStatistics> statisticsOfEveryApplication() {
        return Collections.unmodifiableList(WaitUntil.backend().statistics(true));
    }

    /**
     * Adds a listener of the caller's application's tasks and drains.
     *
     * @param listener what to tell; see {@link TaskListener} for what it may do on the runtime's threads
     * @return the subscription, which removes the listener when closed
     * @throws NullPointerException if {@code listener} is null
     */
    public static TaskSubscription addListener(TaskListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        return WaitUntil.backend().addListener(listener, false);
    }

    /**
     * Adds a listener of the tasks and drains of every application in the JVM; each event names its application.
     *
     * @param listener what to tell
     * @return the subscription, which removes the listener when closed
     * @throws NullPointerException if {@code listener} is null
     */
    public static TaskSubscription addListenerToEveryApplication(TaskListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        return WaitUntil.backend().addListener(listener, true);
    }
}
