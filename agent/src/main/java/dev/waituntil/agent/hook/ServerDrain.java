package dev.waituntil.agent.hook;

/**
 * What a container's server stop hook asks of the drain. The container's order of stop decides which of these run at
 * its hook, and when; the drain itself is the same for every container.
 */
public interface ServerDrain {

    /** Whether the agent logs the steps of a stop that are not logged otherwise. */
    boolean isDebug();

    /** The server stops, certainly: the deadline of its drain starts now. */
    void serverStopBegins();

    /**
     * Makes the connectors of {@code server} stop accepting before the drain waits; {@code why} says which stop for
     * the log. A failure is logged and the drain goes on with them open.
     */
    void stopAccepting(Object server, String why);

    /** Waits, within the deadline, for every task of the server; {@code trigger} names the stop for the log. */
    void drainServerStop(String trigger);
}
