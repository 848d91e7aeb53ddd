package dev.waituntil.it.springboot;

import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/**
 * {@code @Async} methods, as an application hands work to Spring without wait-until: {@link #onDefaultExecutor} on
 * the executor Spring Boot provides ({@code applicationTaskExecutor}, a {@code ThreadPoolTaskExecutor}),
 * {@link #onSimpleExecutor} on the application's own {@code SimpleAsyncTaskExecutor} (bean {@code simple}), which
 * starts a thread per task. Each prints the thread it runs on, and whether the {@code simple} executor's
 * {@code TaskDecorator} wraps it, then does the same work as the controller's other endpoints.
 */
@Service
public class AsyncWork {

    static final ThreadLocal<Boolean> DECORATED = new ThreadLocal<>();

    private final WorkController.Work work;

    public AsyncWork(Receipts receipts) {
        this.work = new WorkController.Work(receipts);
    }

    @Async
    public void onDefaultExecutor(String label, long ms) {
        announce(label);
        work.run(label, ms);
    }

    @Async(SpringBootItApplication.SIMPLE_EXECUTOR)
    public void onSimpleExecutor(String label, long ms) {
        announce(label);
        work.run(label, ms);
    }

    private static void announce(String label) {
        System.out.println("it-app | async " + label + " on thread "
                + Thread.currentThread().getName() + (Boolean.TRUE.equals(DECORATED.get()) ? " (decorated)" : ""));
    }
}
