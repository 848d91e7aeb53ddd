package dev.waituntil.it.starter;

import dev.waituntil.WaitUntil;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tasks the test can see pending, end, and fail:
 *
 * <ul>
 *   <li>{@code POST /hold?label=X}: registers a future under the label that stays pending until {@code /release} (or
 *       {@value #HOLD_BOUND_SECONDS} s, so that a test that dies leaves nothing pending for ever); 202.
 *   <li>{@code POST /release?label=X}: completes it; 200, or 404 for a label not held.
 *   <li>{@code POST /fail?label=X}: {@code WaitUntil.run} of work that throws; 202.
 * </ul>
 */
@RestController
public class TaskController {

    static final long HOLD_BOUND_SECONDS = 60;

    private final Map<String, CompletableFuture<String>> held = new ConcurrentHashMap<>();

    @PostMapping("/hold")
    public ResponseEntity<String> hold(@RequestParam String label) {
        CompletableFuture<String> task = new CompletableFuture<>();
        task.completeOnTimeout("time bound", HOLD_BOUND_SECONDS, TimeUnit.SECONDS);
        held.put(label, task);
        WaitUntil.register(label, task);
        return ResponseEntity.accepted().body("holding " + label + "\n");
    }

    @PostMapping("/release")
    public ResponseEntity<String> release(@RequestParam String label) {
        CompletableFuture<String> task = held.remove(label);
        if (task == null) {
            return ResponseEntity.status(404).body("not held: " + label + "\n");
        }
        task.complete("released");
        return ResponseEntity.ok("released " + label + "\n");
    }

    @PostMapping("/fail")
    public ResponseEntity<String> fail(@RequestParam String label) {
        WaitUntil.run(label, () -> {
            throw new IllegalStateException("it-app: failing on purpose (" + label + ")");
        });
        return ResponseEntity.accepted().body("failing " + label + "\n");
    }
}
