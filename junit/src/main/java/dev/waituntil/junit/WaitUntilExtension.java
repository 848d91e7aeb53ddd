package dev.waituntil.junit;

import dev.waituntil.TaskEnded;
import dev.waituntil.TaskListener;
import dev.waituntil.TaskMonitor;
import dev.waituntil.TaskOutcome;
import dev.waituntil.TaskStarted;
import dev.waituntil.TaskSubscription;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * After each test, waits for the background tasks that the test started ({@code WaitUntil.register}, {@code run},
 * {@code supply}, and with the agent captured work), then fails the test when one of them failed (its exception as
 * the cause, further failures suppressed) or is still pending when the bound has passed (named by label).
 *
 * <pre>{@code
 * @ExtendWith(WaitUntilExtension.class)
 * class OrderServiceTest {
 *     @Test
 *     void sendsTheReceipt() {
 *         orders.place(order);        // hands the receipt to WaitUntil.run(...)
 *     }                               // the extension waits for the receipt, and fails if sending it failed
 * }
 * }</pre>
 *
 * <p>The bound: {@link WaitUntilTimeout} on the test method or class; else the timeout this extension was made with
 * ({@link #withTimeout}, for {@code @RegisterExtension}); else the JUnit configuration parameter
 * {@value #TIMEOUT_PARAMETER} ({@code 500ms}, {@code 10s}, {@code 2m} or ISO-8601 such as {@code PT10S}); else 10
 * seconds.
 *
 * <p>A test's tasks are those that start between the moment the test begins (before its {@code @BeforeEach} methods)
 * and the end of the wait, in every application of the JVM: with the agent that includes tasks of requests served by
 * an embedded server that the test calls. Tasks of an earlier test that are still running are not the next test's.
 * Tests that run in parallel in one JVM see each other's tasks. Works with the agent attached and without it.
 */
public class WaitUntilExtension implements BeforeEachCallback, AfterEachCallback {

    /** The JUnit configuration parameter that sets the default bound. */
    public static final String TIMEOUT_PARAMETER = "waituntil.junit.timeout";

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(WaitUntilExtension.class);

    /** Null: from the annotation, the configuration parameter or the default. */
    private final Duration timeout;

    /** The extension as {@code @ExtendWith(WaitUntilExtension.class)} makes it. */
    public WaitUntilExtension() {
        this(null);
    }

    private WaitUntilExtension(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * An extension with its own bound, for {@code @RegisterExtension}; {@link WaitUntilTimeout} still wins.
     *
     * @param timeout how long to wait after each test
     * @return the extension
     */
    public static WaitUntilExtension withTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, not " + timeout);
        }
        return new WaitUntilExtension(timeout);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Recorder recorder = new Recorder();
        recorder.subscription = TaskMonitor.addListenerToEveryApplication(recorder);
        if (!recorder.subscription.isActive()) {
            throw new ExtensionConfigurationException("wait-until: the agent attached to this JVM is older than the"
                    + " wait-until API on the test class path and tells nobody of tasks; WaitUntilExtension cannot"
                    + " see the test's tasks. Use an agent of the API's version");
        }
        context.getStore(NAMESPACE).put(Recorder.class, recorder);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Recorder recorder = context.getStore(NAMESPACE).remove(Recorder.class, Recorder.class);
        if (recorder == null) {
            return;
        }
        Duration bound = timeout(context);
        try {
            recorder.awaitAll(bound);
        } finally {
            recorder.close();
        }
        AssertionError failure = recorder.verdict(bound);
        if (failure != null) {
            throw failure;
        }
    }

    private Duration timeout(ExtensionContext context) {
        Optional<WaitUntilTimeout> annotation = find(context.getTestMethod());
        if (!annotation.isPresent()) {
            annotation = find(context.getTestClass());
        }
        if (annotation.isPresent()) {
            return Duration.ofNanos(
                    annotation.get().unit().toNanos(annotation.get().value()));
        }
        if (timeout != null) {
            return timeout;
        }
        Optional<String> parameter = context.getConfigurationParameter(TIMEOUT_PARAMETER);
        return parameter.isPresent() ? parse(parameter.get()) : DEFAULT_TIMEOUT;
    }

    private static Optional<WaitUntilTimeout> find(Optional<? extends AnnotatedElement> element) {
        return element.isPresent()
                ? AnnotationSupport.findAnnotation(element.get(), WaitUntilTimeout.class)
                : Optional.<WaitUntilTimeout>empty();
    }

    /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}). */
    static Duration parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(text.trim());
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1).trim());
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(amount);
                case 'm':
                    return Duration.ofMinutes(amount);
                case 'h':
                    return Duration.ofHours(amount);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // reported below, with the forms that work
        }
        throw new ExtensionConfigurationException("wait-until: " + TIMEOUT_PARAMETER + "=" + text
                + " is not a duration; use 500ms, 10s, 2m, 1h or ISO-8601 such as PT10S");
    }

    /** The tasks of one test: heard start, waited on, judged. */
    static final class Recorder implements TaskListener, ExtensionContext.Store.CloseableResource {

        private final ConcurrentLinkedQueue<Started> started = new ConcurrentLinkedQueue<>();
        private final List<TaskEnded> failed = new ArrayList<>();
        private final List<TaskStarted> pending = new ArrayList<>();
        TaskSubscription subscription;

        @Override
        public void taskStarted(TaskStarted event) {
            started.add(new Started(event, event.end().toCompletableFuture()));
        }

        /** Waits for every task heard of, including those started meanwhile, until all ended or the bound passed. */
        void awaitAll(Duration bound) throws InterruptedException {
            long deadline = System.nanoTime() + Math.min(bound.toNanos(), Long.MAX_VALUE / 4);
            List<Started> seen = new ArrayList<>();
            while (true) {
                Started next = started.poll();
                if (next == null) {
                    break;
                }
                seen.add(next);
                try {
                    TaskEnded end = next.end.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (end.outcome() == TaskOutcome.FAILED) {
                        failed.add(end);
                    }
                } catch (TimeoutException e) {
                    pending.add(next.event);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("wait-until: a task's end could not be read", e.getCause());
                }
            }
        }

        /** The failure to report, or null when every task ended well in time. */
        AssertionError verdict(Duration bound) {
            if (failed.isEmpty() && pending.isEmpty()) {
                return null;
            }
            StringBuilder message = new StringBuilder("wait-until: ");
            if (!failed.isEmpty()) {
                message.append(failed.size() == 1 ? "a task" : failed.size() + " tasks")
                        .append(" the test started failed: ")
                        .append(labels(failed));
            }
            if (!pending.isEmpty()) {
                message.append(failed.isEmpty() ? "" : "; ")
                        .append(pending.size() == 1 ? "a task" : pending.size() + " tasks")
                        .append(" the test started ")
                        .append(pending.size() == 1 ? "is" : "are")
                        .append(" still pending ")
                        .append(bound.toMillis())
                        .append(" ms after it ended: ");
                for (int i = 0; i < pending.size(); i++) {
                    TaskStarted p = pending.get(i);
                    message.append(i == 0 ? "" : ", ")
                            .append('\'')
                            .append(p.label())
                            .append('\'');
                    if (p.request() != null) {
                        message.append(" (request ").append(p.request()).append(')');
                    }
                }
                message.append(" (raise the bound with @WaitUntilTimeout or ")
                        .append(TIMEOUT_PARAMETER)
                        .append(')');
            }
            AssertionError error = new AssertionError(message.toString());
            if (!failed.isEmpty()) {
                error.initCause(failed.get(0).failure());
                for (int i = 1; i < failed.size(); i++) {
                    error.addSuppressed(failed.get(i).failure());
                }
            }
            return error;
        }

        private static String labels(List<TaskEnded> ended) {
            StringBuilder b = new StringBuilder();
            for (TaskEnded e : ended) {
                b.append(b.length() == 0 ? "" : ", ")
                        .append('\'')
                        .append(e.label())
                        .append('\'');
            }
            return b.toString();
        }

        @Override
        public void close() {
            TaskSubscription s = subscription;
            if (s != null) {
                s.close();
            }
        }
    }

    private static final class Started {
        final TaskStarted event;
        final CompletableFuture<TaskEnded> end;

        Started(TaskStarted event, CompletableFuture<TaskEnded> end) {
            this.event = event;
            this.end = end;
        }
    }
}
