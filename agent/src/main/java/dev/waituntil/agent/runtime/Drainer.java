package dev.waituntil.agent.runtime;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.log.AgentLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * Drains a scope: waits until its tasks have finished and its requests have ended, or its deadline has
 * passed; then the scope accepts no more tasks, and those still pending are named in the log and, when
 * the settings say so, cancelled.
 */
final class Drainer {

    private static final Logger LOG = AgentLog.get(Drainer.class);

    /**
     * How many tasks a drain names one by one at its deadline; the rest are counted in one line. Naming 100 000
     * stuck tasks took 1.1 s (DrainBenchmark.drain100kAtDeadline), time the container's stop spent past the deadline.
     */
    static final int NAMED_AT_DEADLINE = 100;

    private final ScopeRegistry scopes;
    private final TaskCompletion completion;
    private final DrainSignal signal;
    /** Volatile: an application may change it once started (the Spring Boot starter). */
    private volatile boolean cancelAtDeadline;

    private final boolean debug;

    void cancelAtDeadline(boolean cancel) {
        this.cancelAtDeadline = cancel;
    }

    /** Tasks cancelled by drains at their deadline, so that every drain's summary can say so. */
    private final AtomicInteger cancelledAtDeadline = new AtomicInteger();

    Drainer(
            ScopeRegistry scopes,
            TaskCompletion completion,
            DrainSignal signal,
            boolean cancelAtDeadline,
            boolean debug) {
        this.scopes = scopes;
        this.completion = completion;
        this.signal = signal;
        this.cancelAtDeadline = cancelAtDeadline;
        this.debug = debug;
    }

    /**
     * Waits until every task of {@code scope} (for the JVM scope: of every scope) has finished,
     * including tasks registered while it waits, and every request still in flight has ended (it may
     * register more), or until {@code deadline}. Then the scope accepts no more tasks. Returns as soon as
     * the last task finishes. A scope whose drain has ended already returns at once.
     *
     * @param trigger what the drain is for, for the log and for the reason a later registration is rejected
     */
    DrainReport drain(Scope scope, Deadline deadline, String trigger) {
        long start = System.nanoTime();
        if (scope.drainEnded && !scope.isRoot()) {
            return new DrainReport(scope.toString(), 0, Collections.<String>emptyList(), 0);
        }
        if (scope.state == Scope.State.OPEN) {
            scope.drainedFor = trigger;
            scope.state = Scope.State.DRAINING;
        }
        int cancelledBefore = cancelledAtDeadline.get();
        if (debug) {
            LOG.info(
                    "wait-until: draining {} for {}: {} task(s) pending, {} request(s) in flight, {} left",
                    scope,
                    trigger,
                    scopes.pendingIn(scope).size(),
                    scopes.requestsInFlight(scope),
                    millis(Math.max(0, deadline.nanoTime() - start)));
        }
        boolean quiet = awaitEmpty(scope, deadline);
        scope.state = Scope.State.DRAINED;
        if (debug) {
            LOG.info(
                    "wait-until: {} {} after {}; it accepts no new tasks, and the drain waits for any admitted "
                            + "meanwhile",
                    scope,
                    quiet ? "has no task pending and no request in flight" : "reached the drain's deadline",
                    millis(System.nanoTime() - start));
        }
        // Once more: tasks admitted just before the scope closed are waited for too.
        boolean empty = awaitEmpty(scope, deadline);

        List<String> left = new ArrayList<>();
        if (!empty) {
            giveUp(scope, millis(System.nanoTime() - start), left);
        }
        scope.drainEnded = true;
        // Another drain of the same stop may have cancelled tasks at the deadline while this one waited.
        DrainReport report = new DrainReport(
                scope + " for " + trigger,
                System.nanoTime() - start,
                Collections.unmodifiableList(left),
                cancelledAtDeadline.get() - cancelledBefore);
        if (debug || report.timedOut()) {
            LOG.info("wait-until: {}", report);
        }
        TaskEvents events = completion.events();
        events.drainEnded(scope, report.elapsedNanos(), !empty);
        int dropped = events.dropOwnedBy(scope);
        if (debug && dropped > 0) {
            LOG.info("wait-until: {} task listener(s) that {} added are dropped with it", dropped, scope);
        }
        return report;
    }

    /**
     * A server starts (again) after a stop that drained it: every scope accepts tasks again.
     *
     * @return whether any scope had been drained
     */
    boolean reopen() {
        boolean drained = false;
        for (Scope s : scopes.scopesIn(scopes.jvm())) {
            drained |= s.state != Scope.State.OPEN;
            s.state = Scope.State.OPEN;
            s.drainEnded = false;
        }
        return drained;
    }

    /** The deadline has passed: names what is still pending (into {@code left}) and cancels it if so set. */
    private void giveUp(Scope scope, String waited, List<String> left) {
        int named = 0;
        int unnamed = 0;
        for (TrackedTask task : scopes.pendingIn(scope)) {
            String description = task.describe();
            left.add(description);
            if (!task.claimNaming()) {
                continue; // another drain of this stop named it already
            }
            boolean nameIt = named < NAMED_AT_DEADLINE;
            if (nameIt) {
                named++;
                LOG.warn(
                        "wait-until: drain of {} timed out after {}; task {} is still pending{}",
                        scope,
                        waited,
                        description,
                        cancelAtDeadline ? ", cancelling it" : "");
            } else {
                unnamed++;
            }
            if (cancelAtDeadline) {
                task.cancellationNamed(true);
                cancelledAtDeadline.incrementAndGet();
                if (!task.cancel() && nameIt) {
                    LOG.warn(
                            "wait-until: task {} cannot be cancelled from outside; the stop goes on without it",
                            description);
                }
            }
        }
        if (unnamed > 0) {
            LOG.warn(
                    "wait-until: drain of {} timed out after {}; {} more task(s) are still pending{} (only the first "
                            + "{} are named; JMX listPendingTasks and the tasks command list them all before a stop)",
                    scope,
                    waited,
                    unnamed,
                    cancelAtDeadline ? ", cancelling them" : "",
                    NAMED_AT_DEADLINE);
        }
        int requests = scopes.requestsInFlight(scope);
        if (requests > 0) {
            LOG.warn(
                    "wait-until: drain of {} timed out after {} with {} request(s) still in flight; the stop goes on",
                    scope,
                    waited,
                    requests);
        }
    }

    /** @return true when nothing is pending in {@code scope}, false when the deadline came first */
    private boolean awaitEmpty(Scope scope, Deadline deadline) {
        signal.enter();
        try {
            while (true) {
                // Plain futures have no callback: wait on each in turn, which returns as it completes.
                for (Scope s : scopes.scopesIn(scope)) {
                    for (TrackedTask task : s.plainFutures) {
                        if (!awaitPlainFuture(task, deadline)) {
                            return false;
                        }
                    }
                }
                DrainSignal.Outcome outcome = signal.await(
                        () -> allEmpty(scopes.scopesIn(scope)),
                        () -> anyPlainFutures(scopes.scopesIn(scope)), // registered meanwhile: go and wait on it
                        deadline);
                if (outcome != DrainSignal.Outcome.LOOK_ELSEWHERE) {
                    return outcome == DrainSignal.Outcome.DONE;
                }
            }
        } catch (InterruptedException e) {
            // Whoever stops the container wants it to go on now: keep the flag, stop waiting.
            Thread.currentThread().interrupt();
            return false;
        } finally {
            signal.leave();
        }
    }

    private boolean awaitPlainFuture(TrackedTask task, Deadline deadline) throws InterruptedException {
        Future<?> future = (Future<?>) task.future();
        try {
            future.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException | CancellationException e) {
            // observed below
        }
        completion.observeDone(task);
        return true;
    }

    /** No task pending and no request in flight that could still register one. */
    private static boolean allEmpty(List<Scope> scopes) {
        for (Scope s : scopes) {
            if (!s.tasks.isEmpty() || s.inFlight.get() > 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyPlainFutures(List<Scope> scopes) {
        for (Scope s : scopes) {
            if (!s.plainFutures.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static String millis(long nanos) {
        return Config.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(nanos)));
    }
}
