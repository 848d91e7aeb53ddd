package dev.waituntil;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/** Stands in for the agent's bootstrap bridge: the same static signatures, recording calls. */
public final class FakeBridge {

    static final List<String> calls = new ArrayList<>();
    static volatile boolean installed = true;
    static volatile String refuseWith;

    public static boolean isInstalled() {
        return installed;
    }

    public static void register(String label, Object task) {
        refuseIfAsked();
        calls.add("register " + label + " " + task.getClass().getSimpleName());
    }

    public static CompletableFuture<Void> run(String label, Runnable task) {
        refuseIfAsked();
        calls.add("run " + label);
        task.run();
        return CompletableFuture.completedFuture(null);
    }

    public static CompletableFuture<?> supply(String label, Callable<?> task) throws Exception {
        refuseIfAsked();
        calls.add("supply " + label);
        return CompletableFuture.completedFuture(task.call());
    }

    public static int pending() {
        return 7;
    }

    private static void refuseIfAsked() {
        if (refuseWith != null) {
            throw new RejectedExecutionException(refuseWith);
        }
    }
}
