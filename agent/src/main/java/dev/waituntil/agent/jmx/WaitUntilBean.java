package dev.waituntil.agent.jmx;

import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.log.LogText;
import dev.waituntil.agent.runtime.DrainReport;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.agent.runtime.TrackedTask;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;

/** The runtime behind {@link WaitUntilMXBean}: reads only, except for the two drains. */
public final class WaitUntilBean implements WaitUntilMXBean {

    private static final Logger LOG = AgentLog.get(WaitUntilBean.class);

    /** Who asked, as the drain's log lines and report name it. */
    static final String OPERATOR = "an operator (JMX)";

    private final TaskRuntime runtime;
    private final String version;

    public WaitUntilBean(TaskRuntime runtime, String version) {
        this.runtime = runtime;
        this.version = version;
    }

    @Override
    public String getVersion() {
        return version;
    }

    @Override
    public int getPending() {
        return runtime.pendingEverywhere();
    }

    @Override
    public long getRegistered() {
        return runtime.registeredCount();
    }

    @Override
    public long getCompleted() {
        return runtime.completedCount();
    }

    @Override
    public long getFailed() {
        return runtime.failedCount();
    }

    @Override
    public long getCancelled() {
        return runtime.cancelledCount();
    }

    @Override
    public long getRejected() {
        return runtime.rejectedCount();
    }

    @Override
    public long getOldestPendingMillis() {
        runtime.pendingEverywhere(); // plain futures are seen done only when looked at
        long oldest = 0;
        for (TrackedTask task : runtime.pendingTasks()) {
            oldest = Math.max(oldest, task.ageMillis());
        }
        return oldest;
    }

    @Override
    public int getRequestsInFlight() {
        int n = Math.max(0, runtime.jvm().requestsInFlight());
        for (Scope s : runtime.applicationScopes()) {
            n += Math.max(0, s.requestsInFlight()); // an async request may end twice over; never show less than 0
        }
        return n;
    }

    @Override
    public boolean isShuttingDown() {
        return runtime.isShuttingDown();
    }

    @Override
    public ApplicationStatus[] getApplications() {
        List<ApplicationStatus> all = new ArrayList<>();
        for (Scope s : runtime.applicationScopes()) {
            all.add(new ApplicationStatus(
                    s.name(), runtime.pending(s), Math.max(0, s.requestsInFlight()), s.isDrained()));
        }
        return all.toArray(new ApplicationStatus[0]);
    }

    @Override
    public String getSettings() {
        return runtime.config().describe();
    }

    @Override
    public PendingTask[] listPendingTasks() {
        runtime.pendingEverywhere(); // as above: done plain futures leave the list
        List<PendingTask> all = new ArrayList<>();
        for (TrackedTask task : runtime.pendingTasks()) {
            RequestInfo request = task.request();
            all.add(new PendingTask(
                    LogText.escape(task.label()),
                    task.ageMillis(),
                    request == null ? "" : request.method() + " " + LogText.escape(request.uri()),
                    task.scope().isRoot() ? JVM_SCOPE : task.scope().name(),
                    task.id()));
        }
        // Sorted again on the ages read once: the list the client gets is ordered as it shows them.
        Collections.sort(all, new Comparator<PendingTask>() {
            @Override
            public int compare(PendingTask a, PendingTask b) {
                int byAge = Long.compare(b.getAgeMillis(), a.getAgeMillis());
                return byAge != 0 ? byAge : Long.compare(a.getId(), b.getId());
            }
        });
        return all.toArray(new PendingTask[0]);
    }

    @Override
    public String drainApplication(String application) {
        String name = application == null ? "" : application.trim();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("wait-until: name the application to drain, e.g. /shop (known: "
                    + knownNames() + "); drainAll drains every application");
        }
        List<Scope> scopes = scopesNamed(name);
        if (scopes.isEmpty() && !name.startsWith("/")) {
            scopes = scopesNamed("/" + name);
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException(
                    "wait-until: no application named " + LogText.quote(name)
                            + " in this JVM; known: " + knownNames()
                            + ". An application is known by its context path once it has"
                            + " registered a task; drainAll (the command: drain without an application) drains every application");
        }
        // Two instances of one context path (a parallel deployment) are two scopes: drain both.
        boolean ok = true;
        StringBuilder text = new StringBuilder();
        for (Scope scope : scopes) {
            ok &= drain(scope, text);
        }
        return report(ok, text, "application " + scopes.get(0).name() + " rejects new tasks");
    }

    @Override
    public String drainAll() {
        StringBuilder text = new StringBuilder();
        return report(drain(runtime.jvm(), text), text, "every application and the JVM reject new tasks");
    }

    /** Drains {@code scope}, describes the outcome into {@code text}; true when every task finished. */
    private boolean drain(Scope scope, StringBuilder text) {
        boolean before = scope.isDrained();
        LOG.info("wait-until: {} drains {}; from now on it rejects new tasks", OPERATOR, scope);
        DrainReport r = runtime.drainApplication(scope, OPERATOR);
        if (!runtime.isDebug() && !r.timedOut()) {
            LOG.info("wait-until: {}", r); // otherwise the runtime has logged it
        }
        text.append(text.length() == 0 ? "" : "; ").append(r);
        if (before) {
            text.append(" (it had been drained before)");
        }
        if (!r.leftPending().isEmpty()) {
            text.append(": ").append(join(r.leftPending()));
            if (r.cancelledAtDeadline() > 0) {
                text.append("; cancelled: ").append(r.cancelledAtDeadline());
            } else if (!runtime.config().flag(Setting.DRAIN_CANCEL)) {
                text.append("; left running (waituntil.drain.cancel=false)");
            }
        }
        return !r.timedOut();
    }

    private static String report(boolean ok, CharSequence text, String after) {
        return (ok ? DRAIN_OK : DRAIN_TIMED_OUT) + text + ". From now on " + after + ".";
    }

    private List<Scope> scopesNamed(String name) {
        List<Scope> found = new ArrayList<>();
        for (Scope s : runtime.applicationScopes()) {
            if (s.name().equals(name)) {
                found.add(s);
            }
        }
        return found;
    }

    private String knownNames() {
        List<String> names = new ArrayList<>();
        for (Scope s : runtime.applicationScopes()) {
            names.add(s.name());
        }
        return names.isEmpty() ? "none yet" : join(names);
    }

    private static String join(List<String> parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            b.append(b.length() == 0 ? "" : ", ").append(p);
        }
        return b.toString();
    }
}
