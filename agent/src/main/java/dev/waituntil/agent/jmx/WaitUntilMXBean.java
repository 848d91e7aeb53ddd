package dev.waituntil.agent.jmx;

/**
 * What operators see of the runtime through JMX, under {@value #OBJECT_NAME}: jconsole, VisualVM, any
 * JMX client, and {@code java -jar wait-until-agent.jar <pid> status|tasks|drain}.
 *
 * <p>An MXBean, so that every value is an open type (numbers, strings, {@code CompositeData}) and a
 * client needs none of our classes.
 */
public interface WaitUntilMXBean {

    String OBJECT_NAME = "dev.waituntil:type=WaitUntil";

    /** How a drain's report begins when every task finished in time: scripts may test for it. */
    String DRAIN_OK = "OK: ";
    /** How a drain's report begins when tasks were still pending at the deadline. */
    String DRAIN_TIMED_OUT = "TIMED OUT: ";
    /** The application of a task registered outside every application. */
    String JVM_SCOPE = "the JVM";

    /** The agent's version. */
    String getVersion();

    /** Pending tasks in every scope (every application and the JVM's own). */
    int getPending();

    long getRegistered();

    long getCompleted();

    long getFailed();

    long getCancelled();

    long getRejected();

    /** Age of the oldest pending task; 0 when none is pending. */
    long getOldestPendingMillis();

    /** Requests being served that may still register tasks, in every application. */
    int getRequestsInFlight();

    /** Whether the server (or the JVM) has begun to stop. */
    boolean isShuttingDown();

    /** One entry per application that has used wait-until or served a request since the agent started. */
    ApplicationStatus[] getApplications();

    /** The settings in force, as the start-up line gives them. */
    String getSettings();

    /** Every pending task, oldest first. */
    PendingTask[] listPendingTasks();

    /**
     * Drains one application now, as an undeploy would, and returns when its tasks have finished or
     * {@code waituntil.drain.timeout} has passed. From then on the application rejects new tasks.
     *
     * @param application its name as {@link #getApplications()} gives it: the context path ({@code /shop},
     *        {@code /} for the root context); {@code shop} is taken as {@code /shop}
     * @return one paragraph, beginning with {@value #DRAIN_OK} or {@value #DRAIN_TIMED_OUT}
     * @throws IllegalArgumentException for a name no application has; the message lists the known ones
     */
    String drainApplication(String application);

    /** As {@link #drainApplication}, for every application and the JVM's own tasks. */
    String drainAll();
}
