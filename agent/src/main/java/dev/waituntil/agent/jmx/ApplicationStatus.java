package dev.waituntil.agent.jmx;

import javax.management.openmbean.CompositeData;

/** One application as JMX shows it (a {@code CompositeData} with these items). */
public final class ApplicationStatus {

    private final String name;
    private final int pending;
    private final int requestsInFlight;
    private final boolean drained;

    public ApplicationStatus(String name, int pending, int requestsInFlight, boolean drained) {
        this.name = name;
        this.pending = pending;
        this.requestsInFlight = requestsInFlight;
        this.drained = drained;
    }

    /** Lets a Java client read it back through {@code JMX.newMXBeanProxy}. */
    public static ApplicationStatus from(CompositeData data) {
        return new ApplicationStatus(
                (String) data.get("name"),
                (Integer) data.get("pending"),
                (Integer) data.get("requestsInFlight"),
                (Boolean) data.get("drained"));
    }

    /** The context path ({@code /shop}) once a request has named it; until then the class loader's description. */
    public String getName() {
        return name;
    }

    public int getPending() {
        return pending;
    }

    public int getRequestsInFlight() {
        return requestsInFlight;
    }

    /** Drained (by an undeploy, a stop or an operator): it rejects new tasks. */
    public boolean isDrained() {
        return drained;
    }
}
