package dev.waituntil.spring.boot;

import dev.waituntil.PendingTask;
import dev.waituntil.TaskMonitor;
import dev.waituntil.WaitUntil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code waituntil} ({@code GET /actuator/waituntil} once exposed): the pending tasks of every
 * application of the JVM, oldest first, with their count and the oldest one's age. Plain maps and lists, which every
 * JSON mapper of Spring Boot 3 and 4 writes.
 */
@Endpoint(id = "waituntil")
public class WaitUntilEndpoint {

    /**
     * The pending tasks now.
     *
     * @return {@code agent}, {@code pending}, {@code oldestAge} (ISO-8601), {@code oldestAgeMillis} and {@code tasks}
     *     (each with {@code label}, {@code ageMillis}, {@code age}, {@code request} and {@code application})
     */
    @ReadOperation
    public Map<String, Object> pendingTasks() {
        List<PendingTask> pending = TaskMonitor.pendingTasksOfEveryApplication();
        Duration oldest = Duration.ZERO;
        List<Map<String, Object>> tasks = new ArrayList<>(pending.size());
        for (PendingTask task : pending) {
            if (task.age().compareTo(oldest) > 0) {
                oldest = task.age();
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("label", task.label());
            t.put("ageMillis", task.age().toMillis());
            t.put("age", task.age().toString());
            t.put("request", task.request());
            t.put("application", task.application());
            tasks.add(t);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent", WaitUntil.isAgentActive());
        body.put("pending", pending.size());
        body.put("oldestAge", oldest.toString());
        body.put("oldestAgeMillis", oldest.toMillis());
        body.put("tasks", tasks);
        return body;
    }
}
