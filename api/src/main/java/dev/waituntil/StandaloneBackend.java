package dev.waituntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Tracks tasks in-process when the agent is not attached (unit tests, a {@code main} program, a web
 * application without the agent), and drains them from a JVM shutdown hook within
 * {@code waituntil.drain.timeout}; in a web application, earlier, at the application's own teardown
 * ({@link #drainAtTeardown}, called by the listener of {@code dev.waituntil.servlet}).
 *
 * <p>Deliberately small: no request scope, no watchdog; those need the agent. It honours
 * {@code waituntil.drain.timeout}, {@code waituntil.drain.cancel}, {@code waituntil.executor.threads}
 * and {@code waituntil.executor.queue} from system properties or the environment, and logs through
 * {@code java.util.logging} so that the API stays free of dependencies.
 *
 * <p>Each web application has its own copy of this class, in its own class loader, which its container
 * stops when it stops the application, possibly long before the JVM exits. Everything the shutdown
 * hook and the completion of a task can run is therefore loaded when the hook is made
 * ({@link ClassPreloader}), and the hook catches whatever still goes wrong.
 */
final class StandaloneBackend implements Backend {

    private static final Logger LOG = Logger.getLogger("dev.waituntil");

    /** Never started; the runtime refuses to remove a hook once shutdown has begun, which is how we tell. */
    private static final Thread SHUTDOWN_PROBE = new Thread("wait-until-shutdown-probe");

    private final Set<StandaloneTask> pending = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final StandaloneEvents events = new StandaloneEvents();
    /** The settings in force; replaced when an application gives its own once started (WaitUntilSettings.apply). */
    private volatile StandaloneSettings settings;

    private final List<Thread> workers = new CopyOnWriteArrayList<Thread>();
    private final AtomicBoolean tornDown = new AtomicBoolean();
    /** The JVM shutdown hook when installed; removed at the application's teardown. */
    final Thread hook;

    private volatile ThreadPoolExecutor executor;
    /** Why new tasks are refused: null until a drain has closed the door. */
    private volatile String drainedBecause;

    StandaloneBackend(boolean installShutdownHook) {
        this(installShutdownHook, StandaloneSettings.read(StandaloneSettings.ENVIRONMENT));
    }

    StandaloneBackend(boolean installShutdownHook, StandaloneSettings settings) {
        Duration timeout = settings.drainTimeout;
        this.settings = settings;
        Thread exitHook = null;
        if (installShutdownHook) {
            exitHook = newShutdownHook();
            Runtime.getRuntime().addShutdownHook(exitHook);
            LOG.warning("wait-until: the agent is not attached to this JVM (no -javaagent:wait-until-agent.jar); "
                    + "tasks are tracked in-process and a JVM shutdown hook waits for them within "
                    + "waituntil.drain.timeout (" + StandaloneSettings.describe(timeout)
                    + " unless the application gives another once started). Request scope and container-aware draining"
                    + " need the agent.");
        }
        this.hook = exitHook;
    }

    /**
     * The JVM shutdown hook, not yet installed; everything its drain can run is loaded first, while the
     * class loader still loads.
     */
    Thread newShutdownHook() {
        ClassPreloader.loadEverythingReferencedBy(StandaloneBackend.class);
        ClassPreloader.loadEverythingReferencedBy(StandaloneTask.class);
        ClassPreloader.loadEverythingReferencedBy(StandaloneEvents.class);
        ClassPreloader.loadEverythingReferencedBy(CallerLoaderTask.class);
        Thread exitHook = new Thread(new ExitDrain(this), "wait-until-drain");
        // Inherited from whoever registered the first task, usually a request thread: the application's
        // loader, which JDK code that consults the context loader (logging managers) must not meet after
        // the container stopped it.
        exitHook.setContextClassLoader(null);
        return exitHook;
    }

    @Override
    public synchronized String applySettings(final Map<String, String> given) {
        for (String name : given.keySet()) {
            if (!StandaloneSettings.isKnown(name)) {
                LOG.warning("wait-until: ignoring unknown setting '" + name + "' of the application; known settings: "
                        + StandaloneSettings.KNOWN + " (each with the prefix waituntil.)");
            }
        }
        final StandaloneSettings before = settings;
        StandaloneSettings after = StandaloneSettings.read(new StandaloneSettings.Source() {
            @Override
            public String get(String key) {
                String value = given.get("waituntil." + key);
                return value != null && StandaloneSettings.expected(key, value.trim()) == null
                        ? value
                        : before.given(key);
            }
        });
        for (Map.Entry<String, String> entry : given.entrySet()) {
            String key = entry.getKey().substring(entry.getKey().indexOf('.') + 1);
            String expected = StandaloneSettings.expected(key, entry.getValue().trim());
            if (expected != null) {
                LOG.warning("wait-until: ignoring " + entry.getKey() + "=" + entry.getValue()
                        + " (application settings): expected " + expected + "; keeping the value in force");
            }
        }
        ThreadPoolExecutor pool = executor;
        if (pool != null && after.queue != before.queue) {
            LOG.warning("wait-until: waituntil.executor.queue=" + after.queue + " (application settings) cannot take"
                    + " effect: the queue exists already with room for " + before.queue + " tasks; give it as"
                    + " -Dwaituntil.executor.queue=" + after.queue);
            after = after.withQueue(before.queue);
        }
        if (pool != null && after.threads != before.threads) {
            if (after.threads > pool.getMaximumPoolSize()) {
                pool.setMaximumPoolSize(after.threads);
                pool.setCorePoolSize(after.threads);
            } else {
                pool.setCorePoolSize(after.threads);
                pool.setMaximumPoolSize(after.threads);
            }
        }
        this.settings = after;
        return after.describe();
    }

    @Override
    public void register(String label, Object task) {
        StandaloneTask entry = new StandaloneTask(ids.incrementAndGet(), label, task, pending, events);
        add(entry);
        if (task instanceof CompletionStage) {
            ((CompletionStage<?>) task).whenComplete(entry);
        }
    }

    @Override
    public CompletableFuture<Void> run(String label, Runnable task) {
        return supply(label, () -> {
            task.run();
            return null;
        });
    }

    @Override
    public <T> CompletableFuture<T> supply(String label, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        FutureTask<T> work =
                new CallerLoaderTask<T>(task, Thread.currentThread().getContextClassLoader(), result);
        result.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                work.cancel(true);
            }
        });
        StandaloneTask entry = new StandaloneTask(ids.incrementAndGet(), label, result, pending, events);
        add(entry);
        result.whenComplete(entry);
        try {
            executor().execute(work);
        } catch (RejectedExecutionException e) {
            pending.remove(entry);
            entry.report(TaskOutcome.REJECTED, null);
            throw new RejectedExecutionException("wait-until rejected task '" + entry.label()
                    + "': the executor's queue is full (" + settings.queue + " tasks waiting for " + settings.threads
                    + " threads; raise waituntil.executor.queue or waituntil.executor.threads)");
        }
        return result;
    }

    @Override
    public int pending() {
        for (StandaloneTask entry : pending) {
            if (entry.isDone()) {
                pending.remove(entry);
                entry.reportDone(); // a plain future, seen done: nothing else would report its end
            }
        }
        return pending.size();
    }

    @Override
    public List<PendingTask> pendingTasks(boolean everyApplication) {
        pending(); // plain futures that are done leave first
        List<StandaloneTask> entries = new ArrayList<StandaloneTask>(pending);
        Collections.sort(entries, new Comparator<StandaloneTask>() {
            @Override
            public int compare(StandaloneTask a, StandaloneTask b) {
                return Long.compare(a.id(), b.id());
            }
        });
        List<PendingTask> tasks = new ArrayList<PendingTask>(entries.size());
        for (StandaloneTask entry : entries) {
            tasks.add(new PendingTask(
                    StandaloneEvents.APPLICATION, entry.id(), entry.label(), null, Duration.ofNanos(entry.ageNanos())));
        }
        return tasks;
    }

    @Override
    public List<TaskStatistics> statistics(boolean everyApplication) {
        List<PendingTask> now = pendingTasks(false);
        return Collections.singletonList(new TaskStatistics(
                StandaloneEvents.APPLICATION,
                events.registered.sum(),
                events.completed.sum(),
                events.failed.sum(),
                events.cancelled.sum(),
                events.rejected.sum(),
                now.size(),
                now.isEmpty() ? Duration.ZERO : now.get(0).age()));
    }

    @Override
    public TaskSubscription addListener(TaskListener listener, boolean everyApplication) {
        return events.add(listener);
    }

    @Override
    public boolean isAgent() {
        return false;
    }

    private void add(StandaloneTask entry) {
        pending.add(entry);
        // Checked after the add: a drain that ends concurrently either sees the entry or we see it ended.
        String because = drainedBecause;
        if (because == null) {
            events.started(entry);
        } else {
            pending.remove(entry);
            entry.report(TaskOutcome.REJECTED, null);
            throw new RejectedExecutionException("wait-until rejected task '" + entry.label() + "': " + because
                    + " and its tasks have already been drained");
        }
    }

    /**
     * The shutdown hook's work. A member class rather than a lambda, whose class the JVM makes at run time
     * with no class file: what the hook runs is then all in class files that {@link ClassPreloader} reads.
     */
    private static final class ExitDrain implements Runnable {
        private final StandaloneBackend backend;

        ExitDrain(StandaloneBackend backend) {
            this.backend = backend;
        }

        @Override
        public void run() {
            backend.drainAtExit();
        }
    }

    private void drainAtExit() {
        try {
            int left = drain(settings.drainTimeoutNanos(), "the JVM is shutting down");
            if (left > 0) {
                log(Level.WARNING, "drainAtExit", "wait-until: " + left + " task(s) still pending when the JVM exits");
            }
        } catch (Throwable e) {
            // The last resort when a container stopped this application's class loader anyway (a class this
            // code did not know of, the application's own Future failing to load its classes): one line
            // through the JDK's own stream, no stack of class-loading errors, and the JVM goes on exiting.
            System.err.println("wait-until: the JVM shutdown hook stopped draining this application's tasks, "
                    + pending.size() + " task(s) not waited for: " + e);
            System.err.flush();
        }
    }

    /**
     * The drain of a web application at its own teardown ({@code contextDestroyed}), before its container
     * stops its class loader: waits for its tasks within {@code waituntil.drain.timeout} as the JVM
     * shutdown hook would, refuses new ones, lets the worker threads end (so that the container sees no
     * thread of the application left running), removes the shutdown hook (which would otherwise keep the
     * stopped application's classes reachable until the JVM exits) and says so in one line. Only the first
     * call drains: the listener may be registered twice.
     */
    void drainAtTeardown(String application) {
        if (!tornDown.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        long deadline = deadlineIn(settings.drainTimeoutNanos());
        int pendingAtStart = pending();
        int left = drainUntil(deadline, "application " + application + " has stopped");
        for (Thread worker : workers) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break; // a task that ignored its cancellation keeps its thread; the deadline is spent
            }
            if (worker == Thread.currentThread()) {
                continue; // a task that stops its own application: it ends when this returns
            }
            try {
                TimeUnit.NANOSECONDS.timedJoin(worker, remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is exiting and the hook runs beside us; it finds nothing left to wait for.
            }
        }
        events.dropAll(); // the application's listeners must not keep its stopped class loader reachable
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String outcome = left == 0
                ? "all finished in " + millis + " ms"
                : left + " still pending after " + millis + " ms, "
                        + (settings.cancelAtDeadline ? "cancelled" : "left running");
        log(
                Level.INFO,
                "drainAtTeardown",
                "wait-until: drained application " + application + " at its teardown (standalone mode, no agent): "
                        + pendingAtStart + " task(s) pending, " + outcome);
    }

    /** As at JVM exit: see {@link #drain(long, String)}. */
    int drain(long timeoutNanos) {
        return drain(timeoutNanos, "the JVM is shutting down");
    }

    /**
     * Waits for every pending task, including those registered meanwhile, until none is left or
     * the timeout has passed; then refuses new tasks (saying {@code because}), names those still
     * pending and cancels them.
     *
     * @return how many tasks were still pending at the deadline
     */
    int drain(long timeoutNanos, String because) {
        return drainUntil(deadlineIn(timeoutNanos), because);
    }

    /** The moment {@code timeoutNanos} from now; capped so that "never" (a huge timeout) cannot overflow. */
    private static long deadlineIn(long timeoutNanos) {
        return System.nanoTime() + Math.min(timeoutNanos, Long.MAX_VALUE / 4);
    }

    /** {@link #drain(long, String)} until {@code deadline}, in {@link System#nanoTime()} terms. */
    private int drainUntil(long deadline, String because) {
        long started = System.nanoTime();
        awaitAll(deadline);
        if (drainedBecause == null) {
            drainedBecause = because;
        }
        awaitAll(deadline); // those that slipped in just before the door closed
        int left = 0;
        for (StandaloneTask entry : pending) {
            if (entry.isDone()) {
                continue;
            }
            left++;
            log(
                    Level.WARNING,
                    "drain",
                    "wait-until: drain timed out; task '" + entry.label() + "' still pending after " + entry.ageMillis()
                            + " ms" + (settings.cancelAtDeadline ? ", cancelling it" : ""));
            if (settings.cancelAtDeadline) {
                entry.cancel();
            }
        }
        ThreadPoolExecutor pool = executor;
        if (pool != null) {
            pool.shutdown();
        }
        events.drainEnded(System.nanoTime() - started, left > 0);
        return left;
    }

    private void awaitAll(long deadline) {
        while (!pending.isEmpty()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            // Each await returns the moment its task completes; later registrations are seen on the next pass.
            for (StandaloneTask entry : pending) {
                if (!entry.await(deadline)) {
                    return;
                }
            }
        }
    }

    /**
     * A line that must not be lost at JVM exit. The JDK's LogManager removes every handler in a
     * shutdown hook of its own, which runs alongside our drain, so during shutdown the line goes to
     * standard error, formatted as java.util.logging would format it.
     */
    private static void log(Level level, String method, String message) {
        if (!isShuttingDown()) {
            // The caller named, not this helper, which is what java.util.logging would infer.
            LOG.logp(level, StandaloneBackend.class.getName(), method, message);
            return;
        }
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(LOG.getName());
        record.setSourceClassName(StandaloneBackend.class.getName());
        record.setSourceMethodName(method);
        System.err.print(new SimpleFormatter().format(record));
        System.err.flush();
    }

    private static boolean isShuttingDown() {
        try {
            Runtime.getRuntime().removeShutdownHook(SHUTDOWN_PROBE);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private ThreadPoolExecutor executor() {
        ThreadPoolExecutor pool = executor;
        if (pool == null) {
            synchronized (this) {
                pool = executor;
                if (pool == null) {
                    int queue = settings.queue;
                    int threads = settings.threads;
                    BlockingQueue<Runnable> work =
                            queue == 0 ? new SynchronousQueue<Runnable>() : new ArrayBlockingQueue<Runnable>(queue);
                    AtomicInteger n = new AtomicInteger();
                    // A worker holds a caller's context class loader only while that caller's task runs.
                    ClassLoader loader = StandaloneBackend.class.getClassLoader();
                    pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, work, r -> {
                        Thread t = new Thread(r, "wait-until-worker-" + n.incrementAndGet());
                        t.setDaemon(true);
                        t.setContextClassLoader(loader);
                        workers.add(t);
                        return t;
                    });
                    executor = pool;
                }
            }
        }
        return pool;
    }
}
