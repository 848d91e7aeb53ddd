package dev.waituntil;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Stands in for a bridge of the agent's current version, with the observation methods, in their documented layout. */
public final class FakeObservingBridge {

    static final List<Consumer<Object[]>> listeners = new ArrayList<>();
    static final List<String> calls = new ArrayList<>();

    public static boolean isInstalled() {
        return true;
    }

    public static void register(String label, Object task) {}

    public static CompletableFuture<Void> run(String label, Runnable task) {
        return CompletableFuture.completedFuture(null);
    }

    public static CompletableFuture<?> supply(String label, Callable<?> task) {
        return CompletableFuture.completedFuture(null);
    }

    public static int pending() {
        return 1;
    }

    public static List<Object[]> pendingTasks(boolean everyApplication) {
        calls.add("pendingTasks " + everyApplication);
        List<Object[]> rows = new ArrayList<>();
        // a column appended by a newer agent is ignored
        rows.add(new Object[] {"/shop", 7L, "send receipt", "GET /orders (request 12)", 1_500_000_000L, "newer"});
        return rows;
    }

    public static List<Object[]> statistics(boolean everyApplication) {
        calls.add("statistics " + everyApplication);
        return Arrays.<Object[]>asList(new Object[] {"/shop", 5L, 2L, 1L, 1L, 1L, 1L, 2_000_000L});
    }

    public static AutoCloseable addListener(Consumer<Object[]> listener, boolean everyApplication) {
        calls.add("addListener " + everyApplication);
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public static String applySettings(Map<String, String> settings) {
        return "in force: " + new TreeMap<>(settings);
    }

    static void publish(Object[] event) {
        for (Consumer<Object[]> l : new ArrayList<>(listeners)) {
            l.accept(event);
        }
    }
}
