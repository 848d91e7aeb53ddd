package dev.waituntil.it.springboot;

import dev.waituntil.RejectedTaskException;
import dev.waituntil.WaitUntil;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /work?label=X&ms=N}: hands N ms of work, then a receipt, to {@link WaitUntil#run} and answers
 * 202 at once. {@code POST /slow?label=X&ms=N&task=M}: stays in the request for N ms (so that it is still in
 * flight when the test sends SIGTERM), then registers M ms of work the same way and answers 202. Both record
 * {@code REQUEST <label>} first: the request reached the application, whatever its answer turns out to be.
 * {@code POST /run-async?label=X&ms=N} does what code written without wait-until does: hands the same work to
 * {@code CompletableFuture.runAsync} on its default executor, with no call to the API, and answers 202 at once.
 * {@code POST /async?label=X&ms=N} and {@code POST /async-simple?label=X&ms=N} do the same through an
 * {@code @Async} method ({@link AsyncWork}): on Spring Boot's executor, and on a {@code SimpleAsyncTaskExecutor}.
 */
@RestController
public class WorkController {

    private final Receipts receipts;
    private final AsyncWork async;
    private final Work work;

    public WorkController(Receipts receipts, AsyncWork async) {
        this.receipts = receipts;
        this.async = async;
        this.work = new Work(receipts);
    }

    @PostMapping("/work")
    public ResponseEntity<String> work(@RequestParam String label, @RequestParam long ms) {
        // Before anything can fail: the tests count every request the application saw as work it owes.
        receipts.event("REQUEST " + label);
        WaitUntil.run(label, () -> doWork(label, ms));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body("accepted " + label + "\n");
    }

    @PostMapping("/run-async")
    public ResponseEntity<String> runAsync(@RequestParam String label, @RequestParam long ms) {
        receipts.event("REQUEST " + label);
        CompletableFuture.runAsync(() -> doWork(label, ms));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body("accepted " + label + "\n");
    }

    @PostMapping("/async")
    public ResponseEntity<String> async(@RequestParam String label, @RequestParam long ms) {
        receipts.event("REQUEST " + label);
        async.onDefaultExecutor(label, ms);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body("accepted " + label + "\n");
    }

    @PostMapping("/async-simple")
    public ResponseEntity<String> asyncSimple(@RequestParam String label, @RequestParam long ms) {
        receipts.event("REQUEST " + label);
        async.onSimpleExecutor(label, ms);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body("accepted " + label + "\n");
    }

    @PostMapping("/slow")
    public ResponseEntity<String> slow(
            @RequestParam String label, @RequestParam long ms, @RequestParam(defaultValue = "500") long task)
            throws InterruptedException {
        receipts.event("REQUEST " + label);
        receipts.event("SLOW-STARTED " + label);
        Thread.sleep(ms);
        try {
            WaitUntil.run(label, () -> doWork(label, task));
        } catch (RejectedTaskException e) {
            receipts.event("SLOW-REJECTED " + label + " (" + e.getMessage().replace('\n', ' ') + ")");
            throw e;
        }
        receipts.event("SLOW-REGISTERED " + label);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body("accepted " + label + " after " + ms + " ms\n");
    }

    private void doWork(String label, long ms) {
        work.run(label, ms);
    }

    /** The work of every endpoint: sleeps {@code ms}, then records its receipt. */
    static final class Work {
        private final Receipts receipts;

        Work(Receipts receipts) {
            this.receipts = receipts;
        }

        void run(String label, long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                receipts.event("INTERRUPTED " + label);
                Thread.currentThread().interrupt();
                return;
            }
            receipts.done(label);
        }
    }
}
