package dev.waituntil;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The seam between every copy of the API and the agent's single runtime.
 *
 * <p>The agent puts one small class, {@value #BRIDGE}, on the bootstrap class path. Being on the
 * bootstrap path it is visible from every class loader and exists once per JVM, whichever copy
 * or version of this API a web application bundles. Its public static methods use JDK types
 * only:
 * <pre>
 *   static boolean isInstalled()
 *   static void register(String label, Object task)          // throws RejectedExecutionException
 *   static CompletableFuture&lt;Void&gt; run(String label, Runnable task)
 *   static CompletableFuture&lt;?&gt; supply(String label, Callable&lt;?&gt; task)
 *   static int pending()
 *   // added later: an agent that predates them lacks them, and observation then degrades (see below)
 *   static List&lt;Object[]&gt; pendingTasks(boolean everyApplication)
 *   static List&lt;Object[]&gt; statistics(boolean everyApplication)
 *   static AutoCloseable addListener(Consumer&lt;Object[]&gt; listener, boolean everyApplication)
 *   static String applySettings(Map&lt;String, String&gt; settings)
 * </pre>
 * This class binds method handles to them once; after that a call costs an indirect invocation. The records'
 * layout is the bridge's to document; {@link BridgeRecords} reads them. Against an agent without the
 * observation methods, pending tasks and statistics are empty and listeners are inactive, with one warning.
 */
final class AgentBackend implements Backend {

    static final String BRIDGE = "dev.waituntil.bootstrap.WaitUntilBridge";

    private static final Logger LOG = Logger.getLogger("dev.waituntil");

    private final MethodHandle register;
    private final MethodHandle run;
    private final MethodHandle supply;
    private final MethodHandle pending;
    /** Null when the agent predates them. */
    private final MethodHandle pendingTasks;

    private final MethodHandle statistics;
    private final MethodHandle addListener;
    private final MethodHandle applySettings;
    /** Tasks registered before the agent was attached dynamically; still counted by {@link #pending()}. */
    private final Backend before;

    private AgentBackend(Class<?> bridge, Backend before) throws ReflectiveOperationException {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        this.register =
                lookup.findStatic(bridge, "register", MethodType.methodType(void.class, String.class, Object.class));
        this.run = lookup.findStatic(
                bridge, "run", MethodType.methodType(CompletableFuture.class, String.class, Runnable.class));
        this.supply = lookup.findStatic(
                bridge, "supply", MethodType.methodType(CompletableFuture.class, String.class, Callable.class));
        this.pending = lookup.findStatic(bridge, "pending", MethodType.methodType(int.class));
        this.pendingTasks = optional(bridge, "pendingTasks", MethodType.methodType(List.class, boolean.class));
        this.statistics = optional(bridge, "statistics", MethodType.methodType(List.class, boolean.class));
        this.addListener = optional(
                bridge, "addListener", MethodType.methodType(AutoCloseable.class, Consumer.class, boolean.class));
        this.applySettings = optional(bridge, "applySettings", MethodType.methodType(String.class, Map.class));
        this.before = before;
    }

    /** A bridge method added after the first version: null when the agent predates it. */
    private static MethodHandle optional(Class<?> bridge, String name, MethodType type) {
        try {
            return MethodHandles.publicLookup().findStatic(bridge, name, type);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * The agent's backend if the agent is attached to this JVM, else {@code null}.
     *
     * @param before the backend used until now, whose pending tasks stay counted; may be null
     */
    static Backend find(Backend before) {
        Class<?> bridge;
        try {
            // null: the bootstrap loader only. A class of that name anywhere else is not the agent's.
            bridge = Class.forName(BRIDGE, true, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        return bind(bridge, before);
    }

    /** Binds to a bridge class; package-private so that tests can hand in their own. */
    static Backend bind(Class<?> bridge, Backend before) {
        try {
            MethodHandle installed = MethodHandles.publicLookup()
                    .findStatic(bridge, "isInstalled", MethodType.methodType(boolean.class));
            if (!(boolean) installed.invokeExact()) {
                return null;
            }
            return new AgentBackend(bridge, before);
        } catch (Throwable e) {
            // A bridge of another shape (a much newer or older agent): say so rather than guess.
            throw new IllegalStateException(
                    "wait-until: the agent attached to this JVM does not offer " + "the bridge this API expects (" + e
                            + "); use an agent and API of the same version",
                    e);
        }
    }

    @Override
    public void register(String label, Object task) {
        try {
            register.invokeExact(label, task);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Void> run(String label, Runnable task) {
        try {
            return (CompletableFuture<Void>) (CompletableFuture<?>) run.invokeExact(label, task);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> supply(String label, Callable<T> task) {
        try {
            return (CompletableFuture<T>) (CompletableFuture<?>) supply.invokeExact(label, (Callable<?>) task);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public int pending() {
        int count;
        try {
            count = (int) pending.invokeExact();
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return before == null ? count : count + before.pending();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<PendingTask> pendingTasks(boolean everyApplication) {
        List<PendingTask> tasks = new ArrayList<PendingTask>();
        if (pendingTasks == null) {
            BridgeRecords.olderAgent("list of pending tasks");
        } else {
            try {
                tasks.addAll(BridgeRecords.pendingTasks((List<Object[]>) pendingTasks.invokeExact(everyApplication)));
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        if (before != null) {
            tasks.addAll(before.pendingTasks(everyApplication));
        }
        return tasks;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<TaskStatistics> statistics(boolean everyApplication) {
        if (statistics == null) {
            BridgeRecords.olderAgent("statistics");
            return new ArrayList<TaskStatistics>();
        }
        try {
            return BridgeRecords.statistics((List<Object[]>) statistics.invokeExact(everyApplication));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public TaskSubscription addListener(TaskListener listener, boolean everyApplication) {
        if (addListener == null) {
            BridgeRecords.olderAgent("task events");
            return Subscriptions.INACTIVE;
        }
        AutoCloseable handle;
        try {
            handle = (AutoCloseable) addListener.invokeExact(
                    (Consumer<Object[]>) new BridgeRecords.ListenerAdapter(listener), everyApplication);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return Subscriptions.closing(handle);
    }

    @Override
    public String applySettings(Map<String, String> settings) {
        if (applySettings == null) {
            LOG.warning("wait-until: the agent attached to this JVM is older than this API and takes no settings from"
                    + " the application; it keeps its own (system properties, environment, agent argument): give the"
                    + " settings there, or upgrade the agent to the API's version");
            return "the agent's own settings (the agent is older than this API)";
        }
        try {
            return (String) applySettings.invokeExact(settings);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public boolean isAgent() {
        return true;
    }

    /** invokeExact declares Throwable; the bridge's methods throw only unchecked exceptions. */
    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException) {
            return (RuntimeException) e;
        }
        if (e instanceof Error) {
            throw (Error) e;
        }
        return new IllegalStateException(e);
    }
}
