package dev.waituntil;

/** A listener added by {@link TaskMonitor#addListener}; closing it removes the listener. */
public interface TaskSubscription extends AutoCloseable {

    /**
     * Whether the listener was added and not closed since: false from the start when the attached agent is older
     * than this API and offers no events. (The runtime also drops a listener when the application that added it is
     * drained; this does not tell.)
     *
     * @return whether events arrive
     */
    boolean isActive();

    /** Removes the listener; later events no longer reach it. Closing twice is harmless. */
    @Override
    void close();
}
