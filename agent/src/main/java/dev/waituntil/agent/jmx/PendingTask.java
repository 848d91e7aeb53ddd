package dev.waituntil.agent.jmx;

import javax.management.openmbean.CompositeData;

/** One pending task as JMX shows it (a {@code CompositeData} with these items). */
public final class PendingTask {

    private final String label;
    private final long ageMillis;
    private final String request;
    private final String application;
    private final long id;

    public PendingTask(String label, long ageMillis, String request, String application, long id) {
        this.label = label;
        this.ageMillis = ageMillis;
        this.request = request;
        this.application = application;
        this.id = id;
    }

    /** Lets a Java client read it back through {@code JMX.newMXBeanProxy}. */
    public static PendingTask from(CompositeData data) {
        return new PendingTask(
                (String) data.get("label"),
                (Long) data.get("ageMillis"),
                (String) data.get("request"),
                (String) data.get("application"),
                (Long) data.get("id"));
    }

    /** Escaped and cut as in the log: a label is the application's text and may hold anything. */
    public String getLabel() {
        return label;
    }

    public long getAgeMillis() {
        return ageMillis;
    }

    /** {@code GET /shop/cart}, or empty for a task registered outside a request. */
    public String getRequest() {
        return request;
    }

    /** The application's name ({@code /shop}), or {@value WaitUntilMXBean#JVM_SCOPE} for a task of no application. */
    public String getApplication() {
        return application;
    }

    public long getId() {
        return id;
    }
}
