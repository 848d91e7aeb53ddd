package dev.waituntil.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.PendingTask;
import dev.waituntil.TaskEnded;
import dev.waituntil.TaskListener;
import dev.waituntil.TaskMonitor;
import dev.waituntil.TaskOutcome;
import dev.waituntil.TaskStatistics;
import dev.waituntil.TaskSubscription;
import dev.waituntil.WaitUntil;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The API's observation surface end to end, in whichever mode the build runs this module's tests: through the
 * agent's bootstrap bridge when it is attached, in-process otherwise.
 */
class TaskMonitorThroughTheRuntimeTest {

    @Test
    void pendingTasksCountsAndEndsAreSeen() {
        List<TaskEnded> ended = new CopyOnWriteArrayList<>();
        long before = registered();
        CompletableFuture<String> task = new CompletableFuture<>();
        try (TaskSubscription subscription = TaskMonitor.addListenerToEveryApplication(new TaskListener() {
            @Override
            public void taskEnded(TaskEnded event) {
                ended.add(event);
            }
        })) {
            assertTrue(subscription.isActive());
            WaitUntil.register("observed", task);
            boolean listed = false;
            for (PendingTask p : TaskMonitor.pendingTasksOfEveryApplication()) {
                listed |= p.label().equals("observed");
            }
            assertTrue(listed, () -> String.valueOf(TaskMonitor.pendingTasksOfEveryApplication()));
            assertTrue(TaskMonitor.oldestPendingAge().compareTo(java.time.Duration.ZERO) >= 0);
            assertEquals(before + 1, registered());
            task.complete("done");
        }
        assertEquals(1, ended.size(), String.valueOf(ended));
        assertEquals("observed", ended.get(0).label());
        assertEquals(TaskOutcome.COMPLETED, ended.get(0).outcome());
    }

    private static long registered() {
        long n = 0;
        for (TaskStatistics s : TaskMonitor.statisticsOfEveryApplication()) {
            n += s.registered();
        }
        return n;
    }
}
