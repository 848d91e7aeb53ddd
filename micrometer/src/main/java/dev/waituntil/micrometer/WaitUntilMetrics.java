package dev.waituntil.micrometer;

import dev.waituntil.DrainEnded;
import dev.waituntil.TaskEnded;
import dev.waituntil.TaskListener;
import dev.waituntil.TaskMonitor;
import dev.waituntil.TaskOutcome;
import dev.waituntil.TaskStarted;
import dev.waituntil.TaskStatistics;
import dev.waituntil.TaskSubscription;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The meters of wait-until, for any Micrometer registry, with or without the agent. Every meter is tagged
 * {@code application}: the application the tasks belong to, as {@link TaskStatistics#application()} names it (with
 * the agent, the web application's context path; {@code JVM} for the JVM's own scope, and for every task in
 * standalone mode).
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code waituntil.tasks.pending}</td><td>gauge</td><td>application</td><td>tasks not ended yet</td></tr>
 * <tr><td>{@code waituntil.tasks}</td><td>counter</td><td>application, outcome ({@code completed}, {@code failed},
 *     {@code cancelled}, {@code rejected})</td><td>tasks ended, since the runtime started</td></tr>
 * <tr><td>{@code waituntil.task.duration}</td><td>timer</td><td>application</td><td>from a task's registration to
 *     its end (refused tasks, which never ran, are not timed)</td></tr>
 * <tr><td>{@code waituntil.drain.duration}</td><td>timer</td><td>application</td><td>how long each drain
 *     waited</td></tr>
 * </table>
 *
 * <p>The gauge and the counters read the runtime's counts ({@link TaskMonitor#statisticsOfEveryApplication()}), so
 * they include the tasks that ended before the binder was bound; the timers record what happens from then on. An
 * application's meters are registered when it is first seen: at {@link #bindTo} for the applications that have had
 * tasks already, at its first task or drain for the others.
 *
 * <h2>Which applications</h2>
 * {@link #WaitUntilMetrics()} (or {@link #ofEveryApplication()}) sees every application of the JVM: what a Spring
 * Boot application and an operator want. In a shared container where each web application reports its own meters,
 * {@link #ofCallersApplication()}, called from the application (in its {@code ServletContextListener}, say), sees
 * that application's tasks only.
 *
 * <h2>In a web application without Spring</h2>
 * Add {@code dev.waituntil:wait-until-micrometer} (beside {@code micrometer-core}, which the application brings) and
 * bind it once, for example when the application starts:
 *
 * <pre>{@code
 * public class Meters implements ServletContextListener {
 *     private WaitUntilMetrics metrics;
 *
 *     public void contextInitialized(ServletContextEvent e) {
 *         metrics = new WaitUntilMetrics();
 *         metrics.bindTo(Metrics.globalRegistry);
 *     }
 *
 *     public void contextDestroyed(ServletContextEvent e) {
 *         metrics.close();
 *     }
 * }
 * }</pre>
 *
 * <p>Keep the instance while its meters are wanted, and {@link #close()} it when the application stops: that removes
 * its listener from the runtime and its meters from the registries it was bound to, so that nothing of a stopped
 * application stays reachable from a registry or from the agent.
 */
public final class WaitUntilMetrics implements MeterBinder, AutoCloseable {

    /** The tag every meter has. */
    public static final String APPLICATION_TAG = "application";

    private static final TaskOutcome[] OUTCOMES = TaskOutcome.values();

    private final boolean everyApplication;
    private final TaskSubscription subscription;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<MeterRegistry>();
    /** The applications seen, in the order seen, each with its timers in every registry bound to. */
    private final Map<String, ApplicationMeters> applications = new ConcurrentHashMap<String, ApplicationMeters>();
    /** The counts last read for each application: kept when a drained application leaves the runtime's list. */
    private final Map<String, TaskStatistics> lastRead = new ConcurrentHashMap<String, TaskStatistics>();
    /** Every meter registered, with its registry, for {@link #close()}. */
    private final List<Registered> registered = new ArrayList<Registered>();

    private final Object lock = new Object();
    private volatile boolean closed;

    /** Meters of every application of the JVM; starts listening to the runtime at once. */
    public WaitUntilMetrics() {
        this(true);
    }

    private WaitUntilMetrics(boolean everyApplication) {
        this.everyApplication = everyApplication;
        Listener listener = new Listener();
        this.subscription = everyApplication
                ? TaskMonitor.addListenerToEveryApplication(listener)
                : TaskMonitor.addListener(listener);
        if (!everyApplication) {
            String own = callersApplication();
            if (own != null) {
                applications.put(own, new ApplicationMeters());
            }
        }
    }

    /**
     * Meters of every application of the JVM (and of the JVM's own scope): the same as {@link #WaitUntilMetrics()}.
     *
     * @return a new binder, listening to the runtime until closed
     */
    public static WaitUntilMetrics ofEveryApplication() {
        return new WaitUntilMetrics(true);
    }

    /**
     * Meters of the calling application only, decided here as {@link TaskMonitor#addListener} decides it: call it
     * where the application runs (its start-up, a request), not from a thread of the container's.
     *
     * @return a new binder, listening to the runtime until closed
     */
    public static WaitUntilMetrics ofCallersApplication() {
        return new WaitUntilMetrics(false);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (registry == null) {
            throw new NullPointerException("registry must not be null");
        }
        synchronized (lock) {
            if (closed || registries.contains(registry)) {
                return;
            }
            registries.add(registry);
            Set<String> known = new LinkedHashSet<String>();
            if (everyApplication) {
                for (TaskStatistics counts : TaskMonitor.statisticsOfEveryApplication()) {
                    // An application that never had a task gets its meters at its first: with the agent a Spring
                    // Boot jar has a scope for its launcher's class loader (start-up, this very call) beside the one
                    // of its web application ('/'), and a series of zeros under the loader's name helps nobody.
                    if (counts.registered() > 0 || counts.pending() > 0) {
                        lastRead.put(counts.application(), counts);
                        known.add(counts.application());
                    }
                }
            }
            known.addAll(applications.keySet());
            for (String application : known) {
                ApplicationMeters meters = applications.get(application);
                if (meters == null) {
                    meters = new ApplicationMeters();
                    applications.put(application, meters);
                }
                register(registry, application, meters);
            }
        }
    }

    /**
     * Stops the meters: removes the listener from the runtime and this binder's meters from every registry it was
     * bound to. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            subscription.close();
            for (Registered r : registered) {
                r.registry.remove(r.meter);
            }
            registered.clear();
            registries.clear();
            applications.clear();
        }
    }

    /** The meters of {@code application}, registered in every registry bound to on its first sight. */
    private ApplicationMeters metersOf(String application) {
        ApplicationMeters meters = applications.get(application);
        if (meters != null || closed) {
            return meters;
        }
        synchronized (lock) {
            meters = applications.get(application);
            if (meters == null && !closed) {
                forgetApplicationsNoLongerListed(application);
                meters = new ApplicationMeters();
                for (MeterRegistry registry : registries) {
                    register(registry, application, meters);
                }
                applications.put(application, meters);
            }
            return meters;
        }
    }

    /**
     * Removes the meters of the applications the runtime no longer lists, once another one appears: the agent names an
     * application by its class loader until its first request gives it its context path (a Spring Boot jar's tasks at
     * start-up, then {@code /}), and a redeployed application comes back as a new one. The series of the old name
     * would otherwise stay, frozen, beside the new one. Called holding {@link #lock}.
     */
    private void forgetApplicationsNoLongerListed(String appearing) {
        if (!everyApplication) {
            return;
        }
        Set<String> listed = new LinkedHashSet<String>();
        for (TaskStatistics counts : TaskMonitor.statisticsOfEveryApplication()) {
            listed.add(counts.application());
        }
        if (listed.isEmpty() || !listed.contains(appearing)) {
            return; // an agent that keeps no counts, or a list that does not know the new one yet: nothing to judge
        }
        for (Map.Entry<String, ApplicationMeters> known : applications.entrySet()) {
            if (!listed.contains(known.getKey())) {
                for (Registered r : known.getValue().registered) {
                    r.registry.remove(r.meter);
                    registered.remove(r);
                }
                applications.remove(known.getKey());
                lastRead.remove(known.getKey());
            }
        }
    }

    /** Called holding {@link #lock}. */
    private void register(MeterRegistry registry, final String application, ApplicationMeters meters) {
        keep(
                registry,
                Gauge.builder("waituntil.tasks.pending", this, m -> m.read(application, null))
                        .strongReference(true)
                        .tag(APPLICATION_TAG, application)
                        .description("Tasks of the application not ended yet")
                        // No base unit: Prometheus would append it, waituntil_tasks_pending_tasks.
                        .register(registry),
                meters);
        for (final TaskOutcome outcome : OUTCOMES) {
            // A function counter holds its object weakly; the runtime's listener keeps this binder reachable.
            keep(
                    registry,
                    FunctionCounter.builder("waituntil.tasks", this, m -> m.read(application, outcome))
                            .tag(APPLICATION_TAG, application)
                            .tag("outcome", outcome.tag())
                            .description("Tasks ended (or refused), by outcome, since the runtime started")
                            .baseUnit("tasks")
                            .register(registry),
                    meters);
        }
        Timer task = Timer.builder("waituntil.task.duration")
                .tag(APPLICATION_TAG, application)
                .description("From a task's registration to its end")
                .register(registry);
        Timer drain = Timer.builder("waituntil.drain.duration")
                .tag(APPLICATION_TAG, application)
                .description("How long a drain (shutdown or undeploy) waited for the pending tasks")
                .register(registry);
        keep(registry, task, meters);
        keep(registry, drain, meters);
        meters.task.add(task);
        meters.drain.add(drain);
    }

    private void keep(MeterRegistry registry, Meter meter, ApplicationMeters meters) {
        Registered r = new Registered(registry, meter);
        registered.add(r);
        meters.registered.add(r);
    }

    /**
     * One count of one application, read from the runtime.
     *
     * @param outcome the ended tasks of that outcome, or null for the pending ones
     */
    private double read(String application, TaskOutcome outcome) {
        TaskStatistics counts = null;
        for (TaskStatistics s : TaskMonitor.statisticsOfEveryApplication()) {
            if (s.application().equals(application)) {
                counts = s;
                break;
            }
        }
        if (counts != null) {
            lastRead.put(application, counts);
        } else {
            counts = lastRead.get(application);
            if (counts == null) {
                return 0; // an agent older than the API keeps no counts
            }
            if (outcome == null) {
                return 0; // the runtime no longer lists it: drained and gone, so nothing of it is pending
            }
        }
        if (outcome == null) {
            return counts.pending();
        }
        switch (outcome) {
            case COMPLETED:
                return counts.completed();
            case FAILED:
                return counts.failed();
            case CANCELLED:
                return counts.cancelled();
            case REJECTED:
                return counts.rejected();
            default:
                return 0; // an outcome of a newer API than this module knows
        }
    }

    /**
     * The caller's application as the runtime names it; null when it does not say (an agent older than the API).
     */
    private static String callersApplication() {
        try {
            return TaskMonitor.statistics().application();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "WaitUntilMetrics(" + (everyApplication ? "every application" : "the caller's application")
                + (closed ? ", closed" : ", applications " + applications.keySet()) + ")";
    }

    /** The timers of one application, one per registry. */
    private static final class ApplicationMeters {
        final List<Timer> task = new CopyOnWriteArrayList<Timer>();
        final List<Timer> drain = new CopyOnWriteArrayList<Timer>();
        /** Every meter of the application, in every registry, for its removal. */
        final List<Registered> registered = new CopyOnWriteArrayList<Registered>();
    }

    private static final class Registered {
        final MeterRegistry registry;
        final Meter meter;

        Registered(MeterRegistry registry, Meter meter) {
            this.registry = registry;
            this.meter = meter;
        }
    }

    private final class Listener implements TaskListener {
        @Override
        public void taskStarted(TaskStarted event) {
            metersOf(event.application());
        }

        @Override
        public void taskEnded(TaskEnded event) {
            ApplicationMeters meters = metersOf(event.application());
            if (meters == null || event.outcome() == TaskOutcome.REJECTED) {
                return; // closed, or a refused task, which never ran
            }
            long nanos = event.duration().toNanos();
            for (Timer timer : meters.task) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void drainEnded(DrainEnded event) {
            ApplicationMeters meters = metersOf(event.application());
            if (meters == null) {
                return;
            }
            long nanos = event.duration().toNanos();
            for (Timer timer : meters.drain) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }
}
