package dev.waituntil;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the agent's records, {@code Object[]} of JDK types laid out as the bridge documents them (see
 * {@link AgentBackend}), into this API copy's own types. A newer agent may append columns and event kinds: columns
 * are read by position, unknown kinds are ignored.
 */
final class BridgeRecords {

    private static final Logger LOG = Logger.getLogger("dev.waituntil");

    private BridgeRecords() {}

    static List<PendingTask> pendingTasks(List<Object[]> rows) {
        List<PendingTask> tasks = new ArrayList<PendingTask>(rows.size());
        for (Object[] r : rows) {
            tasks.add(new PendingTask(
                    (String) r[0], (Long) r[1], (String) r[2], (String) r[3], Duration.ofNanos((Long) r[4])));
        }
        return tasks;
    }

    static List<TaskStatistics> statistics(List<Object[]> rows) {
        List<TaskStatistics> all = new ArrayList<TaskStatistics>(rows.size());
        for (Object[] r : rows) {
            all.add(new TaskStatistics(
                    (String) r[0],
                    (Long) r[1],
                    (Long) r[2],
                    (Long) r[3],
                    (Long) r[4],
                    (Long) r[5],
                    (Long) r[6],
                    Duration.ofNanos((Long) r[7])));
        }
        return all;
    }

    /** {@code {"ended", application, id, label, request, outcome, durationNanos, failure}} */
    static TaskEnded ended(Object record) {
        Object[] r = (Object[]) record;
        TaskOutcome outcome = TaskOutcome.ofTag((String) r[5]);
        return new TaskEnded(
                (String) r[1],
                (Long) r[2],
                (String) r[3],
                (String) r[4],
                outcome != null ? outcome : TaskOutcome.FAILED,
                Duration.ofNanos((Long) r[6]),
                (Throwable) r[7]);
    }

    /** The agent's side of a {@link TaskListener}: one per listener, holding nothing else of this API copy. */
    static final class ListenerAdapter implements Consumer<Object[]> {

        private static final Function<Object, TaskEnded> TO_ENDED = BridgeRecords::ended;

        private final TaskListener listener;

        ListenerAdapter(TaskListener listener) {
            this.listener = listener;
        }

        @Override
        public void accept(Object[] r) {
            String kind = (String) r[0];
            if ("started".equals(kind)) {
                listener.taskStarted(new TaskStarted(
                        (String) r[1],
                        (Long) r[2],
                        (String) r[3],
                        (String) r[4],
                        (CompletableFuture<?>) r[5],
                        TO_ENDED));
            } else if ("ended".equals(kind)) {
                TaskEnded event = ended(r);
                listener.taskEnded(event);
            } else if ("drained".equals(kind)) {
                listener.drainEnded(new DrainEnded((String) r[1], Duration.ofNanos((Long) r[6]), (Boolean) r[5]));
            }
        }
    }

    /** Said once per API copy: an agent older than this API has no records to give. */
    static void olderAgent(String what) {
        if (warned) {
            return;
        }
        warned = true;
        LOG.log(
                Level.WARNING,
                "wait-until: the agent attached to this JVM is older than this API and offers no " + what
                        + "; task observation (listeners, pending tasks, statistics) is unavailable until the agent is"
                        + " upgraded to the API's version");
    }

    private static volatile boolean warned;
}
