package dev.waituntil.bootstrap;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The rendezvous of every copy of the API with the one runtime of the agent. The agent appends this
 * package to the bootstrap class path, so this class exists once per JVM and is visible from every
 * class loader; the API finds it by name in the bootstrap loader and binds method handles to these
 * static methods. Their signatures are the contract between API and agent versions: change them
 * only by adding.
 */
public final class WaitUntilBridge {

    private static volatile BridgeTarget target;

    private WaitUntilBridge() {}

    /** Called once by the agent when its runtime is ready. */
    public static void install(BridgeTarget runtime) {
        target = runtime;
    }

    public static boolean isInstalled() {
        return target != null;
    }

    public static void register(String label, Object task) {
        target().register(label, task);
    }

    public static CompletableFuture<Void> run(String label, Runnable task) {
        return target().run(label, task);
    }

    public static CompletableFuture<?> supply(String label, Callable<?> task) {
        return target().supply(label, task);
    }

    public static int pending() {
        return target().pending();
    }

    // Observation: added after the methods above. An API copy that predates them never calls them; a newer copy
    // finds them missing in an older agent, and says so.

    /**
     * The pending tasks of the caller's application (outside any: of the JVM's own scope), or of every application,
     * oldest first. Each row is {@code {String application, Long id, String label, String request or null, Long
     * ageNanos}}; later versions may append columns, never reorder them.
     */
    public static List<Object[]> pendingTasks(boolean everyApplication) {
        return target().pendingTasks(everyApplication);
    }

    /**
     * The counts of the caller's application, or of every application and the JVM's own scope. Each row is {@code
     * {String application, Long registered, Long completed, Long failed, Long cancelled, Long rejected, Long pending,
     * Long oldestPendingNanos}}; later versions may append columns, never reorder them.
     */
    public static List<Object[]> statistics(boolean everyApplication) {
        return target().statistics(everyApplication);
    }

    /**
     * Adds a listener of the caller's application (of every application when {@code everyApplication}), owned by the
     * caller's application: dropped when that application is drained, or when the returned handle is closed. It runs
     * on the thread where the event happens and must be quick; what it throws is caught and logged once. Events are
     * {@code Object[]} records whose first five columns are {@code {String kind, String application, Long id, String
     * label, String request}}, followed by:
     * <ul>
     *   <li>{@code "started"}: {@code CompletableFuture<Object[]> end}, completed with the task's {@code "ended"}
     *       record;
     *   <li>{@code "ended"}: {@code String outcome} ({@code completed}, {@code failed}, {@code cancelled},
     *       {@code rejected}), {@code Long durationNanos} (from registration; 0 for {@code rejected}), {@code Throwable failure} (for
     *       {@code failed});
     *   <li>{@code "drained"} (id 0, no label, no request): {@code Boolean reachedDeadline}, {@code Long
     *       durationNanos}.
     * </ul>
     * Later versions may append columns and kinds; a listener ignores kinds it does not know.
     */
    public static AutoCloseable addListener(Consumer<Object[]> listener, boolean everyApplication) {
        return target().addListener(listener, everyApplication);
    }

    private static BridgeTarget target() {
        BridgeTarget t = target;
        if (t == null) {
            throw new IllegalStateException("wait-until: the agent's runtime is not installed yet");
        }
        return t;
    }

    // Settings: added after observation.

    /**
     * Lays settings that an application gives once started (the Spring Boot starter, from the Spring environment) over
     * the agent's, for the whole JVM; an agent argument still wins. Keys are the property names of the settings table
     * ({@code waituntil.drain.timeout}); a null value is no value. Every value not taken (unknown, bad, or used once at
     * the agent's start) is logged by the agent, one line each.
     *
     * @return the settings in force, as the agent's start-up line writes them
     */
    public static String applySettings(Map<String, String> settings) {
        return target().applySettings(settings);
    }
}
