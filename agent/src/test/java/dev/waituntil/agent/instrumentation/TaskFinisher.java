package dev.waituntil.agent.instrumentation;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Ends a pending task from another thread once something has happened, as a request in flight would end. */
final class TaskFinisher {

    private TaskFinisher() {}

    /**
     * Completes {@code task} once {@code condition} holds. Asked every millisecond: a condition that connects must not
     * fill a paused connector's backlog.
     */
    static void finishWhen(CompletableFuture<String> task, BooleanSupplier condition) {
        Thread finisher = new Thread(() -> {
            try {
                while (!condition.getAsBoolean()) {
                    Thread.sleep(1);
                }
            } catch (InterruptedException e) {
                return;
            }
            task.complete("sent");
        });
        finisher.setDaemon(true);
        finisher.start();
    }
}
