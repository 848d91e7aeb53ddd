package dev.waituntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A runtime whose applications, counts and events the test decides: what only a container with several web
 * applications would otherwise show (applications that appear after binding, that leave the list when drained, an
 * agent older than the API that keeps no counts). In the API's package, where the runtime's interface and the
 * events' constructors are.
 */
public final class ScriptedRuntime implements Backend, AutoCloseable {

    private final Backend previous;
    private final String callersApplication;
    private final List<TaskStatistics> statistics = new CopyOnWriteArrayList<>();
    private final List<Listening> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    private ScriptedRuntime(String callersApplication) {
        this.callersApplication = callersApplication;
        previous = WaitUntil.backend();
        WaitUntil.use(this);
    }

    /**
     * Puts it in force until {@link #close()}.
     *
     * @param callersApplication the application every caller belongs to
     */
    public static ScriptedRuntime install(String callersApplication) {
        return new ScriptedRuntime(callersApplication);
    }

    /** Sets the counts of {@code application}, listing it. */
    public void counts(String application, long completed, long failed, long cancelled, long rejected, long pending) {
        forget(application);
        statistics.add(new TaskStatistics(
                application,
                completed + failed + cancelled + rejected + pending,
                completed,
                failed,
                cancelled,
                rejected,
                pending,
                Duration.ZERO));
    }

    /** Lists {@code application} no more, as the agent does once it has drained and dropped it. */
    public void forget(String application) {
        statistics.removeIf(s -> s.application().equals(application));
    }

    public void taskStarted(String application) {
        TaskStarted event =
                new TaskStarted(application, ids.incrementAndGet(), "task", null, new CompletableFuture<>(), o -> null);
        for (Listening l : listeners(application)) {
            l.listener.taskStarted(event);
        }
    }

    public void taskEnded(String application, TaskOutcome outcome, Duration duration) {
        TaskEnded event = new TaskEnded(application, ids.incrementAndGet(), "task", null, outcome, duration, null);
        for (Listening l : listeners(application)) {
            l.listener.taskEnded(event);
        }
    }

    public void drainEnded(String application, Duration duration) {
        DrainEnded event = new DrainEnded(application, duration, false);
        for (Listening l : listeners(application)) {
            l.listener.drainEnded(event);
        }
    }

    /** How many listeners are subscribed. */
    public int listeners() {
        return listeners.size();
    }

    private List<Listening> listeners(String application) {
        List<Listening> hearing = new ArrayList<>();
        for (Listening l : listeners) {
            if (l.everyApplication || application.equals(callersApplication)) {
                hearing.add(l);
            }
        }
        return hearing;
    }

    @Override
    public void close() {
        WaitUntil.use(previous);
    }

    @Override
    public void register(String label, Object task) {
        throw new UnsupportedOperationException("scripted: the test fires events itself");
    }

    @Override
    public CompletableFuture<Void> run(String label, Runnable task) {
        throw new UnsupportedOperationException("scripted: the test fires events itself");
    }

    @Override
    public <T> CompletableFuture<T> supply(String label, Callable<T> task) {
        throw new UnsupportedOperationException("scripted: the test fires events itself");
    }

    @Override
    public int pending() {
        return 0;
    }

    @Override
    public List<PendingTask> pendingTasks(boolean everyApplication) {
        return new ArrayList<>();
    }

    @Override
    public List<TaskStatistics> statistics(boolean everyApplication) {
        List<TaskStatistics> seen = new ArrayList<>();
        for (TaskStatistics s : statistics) {
            if (everyApplication || s.application().equals(callersApplication)) {
                seen.add(s);
            }
        }
        return seen;
    }

    @Override
    public TaskSubscription addListener(TaskListener listener, boolean everyApplication) {
        Listening l = new Listening(listener, everyApplication);
        listeners.add(l);
        return new TaskSubscription() {
            @Override
            public boolean isActive() {
                return listeners.contains(l);
            }

            @Override
            public void close() {
                listeners.remove(l);
            }
        };
    }

    @Override
    public String applySettings(Map<String, String> settings) {
        return "scripted";
    }

    @Override
    public boolean isAgent() {
        return false;
    }

    private static final class Listening {
        final TaskListener listener;
        final boolean everyApplication;

        Listening(TaskListener listener, boolean everyApplication) {
            this.listener = listener;
            this.everyApplication = everyApplication;
        }
    }
}
