package dev.waituntil.agent.runtime;

import dev.waituntil.agent.log.AgentLog;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;

/**
 * Which logging contexts ({@link LoggingContextStore}s) an application's class loader sees: its own
 * SLF4J {@code MDC}, its own Log4j 2 {@code ThreadContext}, both or neither. Looked up once per
 * loader, with the classes not found remembered too ({@code ClassNotFoundException} is expensive);
 * after that, one map lookup per {@code run}/{@code supply}.
 *
 * <p>Never pins an application: the map's keys are weak, and its values hold the framework classes
 * only weakly (a class holds its loader, which is the key). The handles on those classes live in the
 * classes themselves ({@link LoggingContextStore#of}).
 */
public final class LoggingContextLookup {

    private static final Logger LOG = AgentLog.get(LoggingContextLookup.class);
    private static final String[] FRAMEWORKS = {LoggingContextStore.SLF4J_MDC, LoggingContextStore.LOG4J_THREAD_CONTEXT
    };

    private final boolean debug;
    private final Map<ClassLoader, Frameworks> byLoader = new WeakHashMap<>();
    /**
     * The loader looked up last and what it sees: most calls come from the same application as the one before,
     * and find it here with no lock. Holds the loader weakly, and {@link Frameworks} holds its classes weakly.
     */
    private volatile Last last;

    public LoggingContextLookup(boolean debug) {
        this.debug = debug;
    }

    /** What {@code loader} sees, found on the first call for it; {@code owner} names it in a warning. */
    Frameworks frameworksOf(ClassLoader loader, Object owner) {
        Last seen = last;
        if (seen != null && loader != null && seen.loader.get() == loader) {
            return seen.frameworks;
        }
        synchronized (byLoader) {
            Frameworks known = byLoader.get(loader);
            if (known != null) {
                last = new Last(loader, known);
                return known;
            }
        }
        // Outside the lock: loading classes runs the loader's own code, which must not wait for ours.
        Frameworks found = find(loader, owner);
        synchronized (byLoader) {
            Frameworks raced = byLoader.get(loader);
            if (raced != null) {
                return raced;
            }
            byLoader.put(loader, found);
            last = new Last(loader, found);
            return found;
        }
    }

    /** A loader, weakly, with what it sees. */
    private static final class Last {
        final WeakReference<ClassLoader> loader;
        final Frameworks frameworks;

        Last(ClassLoader loader, Frameworks frameworks) {
            this.loader = new WeakReference<>(loader);
            this.frameworks = frameworks;
        }
    }

    private Frameworks find(ClassLoader loader, Object owner) {
        Frameworks found = new Frameworks(debug);
        for (int i = 0; i < FRAMEWORKS.length; i++) {
            Class<?> framework;
            try {
                // Loaded, not initialized: the first capture initializes it, on the application's thread, where a
                // failing static initializer is reported like any other failure of the framework.
                framework = Class.forName(FRAMEWORKS[i], false, loader);
            } catch (ClassNotFoundException e) {
                continue;
            } catch (RuntimeException | LinkageError e) {
                found.failed(FRAMEWORKS[i], owner, "finding it", e);
                continue;
            }
            try {
                LoggingContextStore.of(framework); // the handles, made once per class
            } catch (RuntimeException | LinkageError e) {
                found.failed(FRAMEWORKS[i], owner, "binding to it", e);
                continue;
            }
            found.classes.set(i, new WeakReference<Class<?>>(framework));
        }
        return found;
    }

    /**
     * The logging contexts of one class loader. A framework that fails once (a class of that name
     * that is not the API we know, a method that throws) is dropped for that loader: its tasks go on
     * without that context, and one warning per loader says so.
     */
    static final class Frameworks {
        private static final LoggingContextStore[] NONE = new LoggingContextStore[0];

        private final boolean debug;
        /** Indexed as {@link #FRAMEWORKS}; null where the loader has none or it failed. */
        private final AtomicReferenceArray<WeakReference<Class<?>>> classes =
                new AtomicReferenceArray<WeakReference<Class<?>>>(FRAMEWORKS.length);

        private final AtomicBoolean warned = new AtomicBoolean();

        Frameworks(boolean debug) {
            this.debug = debug;
        }

        /** The usable stores, in a fresh array the caller may change. */
        LoggingContextStore[] stores() {
            LoggingContextStore[] stores = null;
            int n = 0;
            for (int i = 0; i < classes.length(); i++) {
                WeakReference<Class<?>> ref = classes.get(i);
                Class<?> framework = ref == null ? null : ref.get();
                if (framework == null) {
                    continue;
                }
                if (stores == null) {
                    stores = new LoggingContextStore[classes.length()];
                }
                stores[n++] = LoggingContextStore.of(framework);
            }
            if (stores == null) {
                return NONE;
            }
            if (n < stores.length) {
                LoggingContextStore[] exact = new LoggingContextStore[n];
                System.arraycopy(stores, 0, exact, 0, n);
                return exact;
            }
            return stores;
        }

        /**
         * {@code store} threw while {@code doing}: drops it for this loader and says so, once per loader
         * (the stack trace with {@code waituntil.debug}).
         */
        void failed(LoggingContextStore store, Object owner, String doing, Throwable failure) {
            for (int i = 0; i < classes.length(); i++) {
                WeakReference<Class<?>> ref = classes.get(i);
                Class<?> framework = ref == null ? null : ref.get();
                if (framework != null && LoggingContextStore.of(framework) == store) {
                    classes.set(i, null);
                }
            }
            failed(store.framework(), owner, doing, failure);
        }

        private void failed(String framework, Object owner, String doing, Throwable failure) {
            String message = "wait-until: the " + framework + " of " + owner + " failed while " + doing + " (" + failure
                    + "); its run/supply tasks go on without it";
            if (warned.compareAndSet(false, true)) {
                if (debug) {
                    LOG.warn(message, failure);
                } else {
                    LOG.warn(message + " (waituntil.debug=true logs the stack trace)");
                }
            } else if (debug) {
                LOG.info(message, failure);
            }
        }
    }
}
