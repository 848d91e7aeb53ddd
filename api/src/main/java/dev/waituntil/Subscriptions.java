package dev.waituntil;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@link TaskSubscription}s the backends hand out. */
final class Subscriptions {

    /** What an agent without task events gives: nothing arrives, closing does nothing. */
    static final TaskSubscription INACTIVE = new TaskSubscription() {
        @Override
        public boolean isActive() {
            return false;
        }

        @Override
        public void close() {}

        @Override
        public String toString() {
            return "inactive wait-until task subscription";
        }
    };

    private Subscriptions() {}

    /** A subscription that closes {@code handle}, the runtime's, once. */
    static TaskSubscription closing(final AutoCloseable handle) {
        final AtomicBoolean open = new AtomicBoolean(true);
        return new TaskSubscription() {
            @Override
            public boolean isActive() {
                return open.get();
            }

            @Override
            public void close() {
                if (open.compareAndSet(true, false)) {
                    try {
                        handle.close();
                    } catch (Exception e) {
                        Logger.getLogger("dev.waituntil")
                                .log(Level.WARNING, "wait-until: could not remove a task listener: " + e, e);
                    }
                }
            }
        };
    }
}
