package dev.waituntil.agent.runtime;

import java.util.concurrent.Callable;

/**
 * What a {@code run}/{@code supply} task takes from the thread that started it to the worker that runs
 * it: the caller's context class loader and, when the application uses them, its own SLF4J {@code MDC}
 * and Log4j 2 {@code ThreadContext}. Captured once, on the calling thread, and never changed after.
 *
 * <p>On the worker they are set just before the work and taken away just after it, before its outcome
 * is published (see {@link #call}). A framework that fails is left out; the task always runs.
 */
public final class TaskContext {

    private static final LoggingContextStore[] NO_STORES = new LoggingContextStore[0];
    private static final Object[] NO_VALUES = new Object[0];
    private static final TaskContext NONE = new TaskContext(null, null, null, NO_STORES, NO_VALUES);

    private final ClassLoader contextLoader;
    /** Names the application in a warning; null for {@link #none()}. */
    private final Object owner;

    private final LoggingContextLookup.Frameworks frameworks;
    /** An entry is null where capturing failed: nothing is set or cleared for it. */
    private final LoggingContextStore[] stores;
    /** The captured values, by the index of their store; null where that context was empty. */
    private final Object[] values;

    private TaskContext(
            ClassLoader contextLoader,
            Object owner,
            LoggingContextLookup.Frameworks frameworks,
            LoggingContextStore[] stores,
            Object[] values) {
        this.contextLoader = contextLoader;
        this.owner = owner;
        this.frameworks = frameworks;
        this.stores = stores;
        this.values = values;
    }

    /** Nothing to carry: the work runs with no context class loader. */
    public static TaskContext none() {
        return NONE;
    }

    /**
     * Captures, on the calling thread, what a task started now takes along: {@code contextLoader} and
     * the logging contexts of the frameworks it sees. Never throws for a framework's sake.
     *
     * @param contextLoader the caller's context class loader (or its application's when it has none); may be null
     * @param owner what the task belongs to (its scope), to name it in a warning
     */
    public static TaskContext capture(ClassLoader contextLoader, Object owner, LoggingContextLookup lookup) {
        if (contextLoader == null) {
            return NONE;
        }
        LoggingContextLookup.Frameworks frameworks = lookup.frameworksOf(contextLoader, owner);
        LoggingContextStore[] stores = frameworks.stores();
        if (stores.length == 0) {
            return new TaskContext(contextLoader, owner, frameworks, NO_STORES, NO_VALUES);
        }
        Object[] values = new Object[stores.length];
        for (int i = 0; i < stores.length; i++) {
            try {
                values[i] = stores[i].capture();
            } catch (Throwable e) {
                frameworks.failed(stores[i], owner, "reading the context of the thread that started a task", e);
                stores[i] = null;
            }
        }
        return new TaskContext(contextLoader, owner, frameworks, stores, values);
    }

    /**
     * Runs {@code body} on the calling (worker) thread with this context, then clears the logging
     * contexts and gives the worker its own class loader back. Both happen before the caller of this
     * method publishes the outcome: a drain that returns on completion must find no worker still
     * holding the application's loader or its thread-locals (Tomcat checks for both right after and
     * would warn of a leak). The contexts are cleared even when the caller's were empty: the work may
     * have filled them.
     */
    <T> T call(Callable<T> body) throws Exception {
        ClassLoader own = lendLoader();
        try {
            restore();
            return body.call();
        } finally {
            giveBack(own);
        }
    }

    /** {@link #call}, for a {@code Runnable}. */
    void run(Runnable body) {
        ClassLoader own = lendLoader();
        try {
            restore();
            body.run();
        } finally {
            giveBack(own);
        }
    }

    /** Sets this context's class loader on the worker; returns the worker's own, for {@link #giveBack}. */
    private ClassLoader lendLoader() {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        thread.setContextClassLoader(contextLoader);
        return own;
    }

    /** Clears the logging contexts and gives the worker its own class loader back. */
    private void giveBack(ClassLoader own) {
        clear();
        Thread.currentThread().setContextClassLoader(own);
    }

    private void restore() {
        for (int i = 0; i < stores.length; i++) {
            if (stores[i] != null && values[i] != null) {
                try {
                    stores[i].restore(values[i]);
                } catch (Throwable e) {
                    frameworks.failed(stores[i], owner, "setting the context on the worker", e);
                }
            }
        }
    }

    private void clear() {
        for (int i = 0; i < stores.length; i++) {
            if (stores[i] != null) {
                try {
                    stores[i].clear();
                } catch (Throwable e) {
                    frameworks.failed(stores[i], owner, "clearing the context on the worker", e);
                }
            }
        }
    }
}
