package dev.waituntil.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.waituntil.WaitUntil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension on itself: test classes that use it are run by JUnit's test kit, and how JUnit reports them is
 * asserted. The classes below are member classes, which surefire does not run on its own. Run twice by the build:
 * without the agent (standalone mode) and with it.
 */
class WaitUntilExtensionTest {

    /** A guard against a hang, far above what a loaded machine needs; never a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    private static Events run(Class<?> testClass) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(testClass))
                .execute()
                .testEvents();
    }

    private static Throwable failureOf(Events events) {
        List<Event> failed = events.failed().list();
        assertEquals(1, failed.size(), () -> "failed: " + failed);
        TestExecutionResult result =
                failed.get(0).getPayload(TestExecutionResult.class).orElseThrow(AssertionError::new);
        return result.getThrowable().orElseThrow(AssertionError::new);
    }

    @Test
    void runsInTheModeTheBuildAsksFor() {
        assertEquals(Boolean.getBoolean("waituntil.junit.expectAgent"), WaitUntil.isAgentActive());
    }

    // ------------------------------------------------------------------ a task that succeeds

    @ExtendWith(WaitUntilExtension.class)
    static class TaskSucceeds {
        static final CountDownLatch release = new CountDownLatch(1);
        static final AtomicBoolean ended = new AtomicBoolean();

        @Test
        void startsATask() {
            WaitUntil.run("succeeds", () -> {
                try {
                    release.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ended.set(true);
            });
            // Released only once the test method has returned: the extension must wait for the rest.
            new Thread(() -> {
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException ignored) {
                            // release at once
                        }
                        release.countDown();
                    })
                    .start();
        }
    }

    @Test
    void aTestWhoseTaskSucceedsPassesAfterTheTaskEnded() {
        Events events = run(TaskSucceeds.class);
        events.assertStatistics(s -> s.started(1).succeeded(1).failed(0));
        assertTrue(TaskSucceeds.ended.get(), "the extension returned before the task ended");
    }

    // ------------------------------------------------------------------ a task that fails

    @ExtendWith(WaitUntilExtension.class)
    static class TaskFails {
        static final IllegalStateException BOOM = new IllegalStateException("the mail server said no");

        @Test
        void startsAFailingTask() {
            WaitUntil.run("send receipt", () -> {
                throw BOOM;
            });
        }
    }

    @Test
    void aTestWhoseTaskFailsIsReportedFailedWithThatCause() {
        Throwable failure = failureOf(run(TaskFails.class));
        assertTrue(failure instanceof AssertionError, String.valueOf(failure));
        assertTrue(failure.getMessage().contains("'send receipt'"), failure.getMessage());
        assertSame(TaskFails.BOOM, failure.getCause());
    }

    @ExtendWith(WaitUntilExtension.class)
    static class TwoTasksFail {
        static final RuntimeException FIRST = new RuntimeException("first");
        static final RuntimeException SECOND = new RuntimeException("second");

        @Test
        void startsTwoFailingTasks() throws Exception {
            CompletableFuture<Void> first = WaitUntil.run("first", () -> {
                throw FIRST;
            });
            try {
                first.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception expected) {
                // it failed, as it should; the order of the two failures is now fixed
            }
            WaitUntil.register("second", CompletableFuture.supplyAsync(() -> {
                throw SECOND;
            }));
        }
    }

    @Test
    void furtherFailuresAreSuppressed() {
        Throwable failure = failureOf(run(TwoTasksFail.class));
        assertSame(TwoTasksFail.FIRST, failure.getCause());
        assertEquals(1, failure.getSuppressed().length);
        assertSame(TwoTasksFail.SECOND, failure.getSuppressed()[0]);
    }

    // ------------------------------------------------------------------ a task that outlives the bound

    @ExtendWith(WaitUntilExtension.class)
    @WaitUntilTimeout(value = 200, unit = TimeUnit.MILLISECONDS)
    static class TaskOutlivesTheBound {
        static final CountDownLatch release = new CountDownLatch(1);

        @Test
        void startsASlowTask() {
            WaitUntil.run("slow report", () -> {
                try {
                    release.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Test
    void aTaskThatOutlivesTheBoundIsNamed() {
        try {
            Throwable failure = failureOf(run(TaskOutlivesTheBound.class));
            assertTrue(failure.getMessage().contains("still pending"), failure.getMessage());
            assertTrue(failure.getMessage().contains("'slow report'"), failure.getMessage());
        } finally {
            TaskOutlivesTheBound.release.countDown();
        }
    }

    // ------------------------------------------------------------------ tasks of one test are not the next one's

    @ExtendWith(WaitUntilExtension.class)
    @WaitUntilTimeout(value = 200, unit = TimeUnit.MILLISECONDS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class TasksOfOneTestThenAnother {
        static final CountDownLatch release = new CountDownLatch(1);
        static volatile CompletableFuture<Void> leftOver;

        @Test
        @Order(1)
        void leavesATaskRunning() {
            leftOver = WaitUntil.run("left over", () -> {
                try {
                    release.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("fails during the next test");
            });
        }

        @Test
        @Order(2)
        void startsNothing() throws Exception {
            release.countDown();
            try {
                leftOver.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception expected) {
                // the previous test's task has failed now, during this test
            }
        }
    }

    @Test
    void tasksOfThePreviousTestDoNotLeakIntoTheNext() {
        Events events = run(TasksOfOneTestThenAnother.class);
        events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        Throwable failure = failureOf(events);
        assertTrue(failure.getMessage().contains("'left over'"), failure.getMessage());
    }

    // ------------------------------------------------------------------ the bound

    @Test
    void durationsParse() {
        assertEquals(Duration.ofMillis(500), WaitUntilExtension.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), WaitUntilExtension.parse("10s"));
        assertEquals(Duration.ofMinutes(2), WaitUntilExtension.parse("2m"));
        assertEquals(Duration.ofSeconds(30), WaitUntilExtension.parse("PT30S"));
    }

    @ExtendWith(WaitUntilExtension.class)
    static class BoundFromTheConfiguration {
        static final CountDownLatch release = new CountDownLatch(1);

        @Test
        void startsASlowTask() {
            WaitUntil.run("slow", () -> {
                try {
                    release.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @Test
    void theConfigurationParameterSetsTheBound() {
        try {
            Events events = EngineTestKit.engine("junit-jupiter")
                    .configurationParameter(WaitUntilExtension.TIMEOUT_PARAMETER, "300ms")
                    .selectors(selectClass(BoundFromTheConfiguration.class))
                    .execute()
                    .testEvents();
            Throwable failure = failureOf(events);
            assertTrue(failure.getMessage().contains("still pending 300 ms"), failure.getMessage());
        } finally {
            BoundFromTheConfiguration.release.countDown();
        }
    }
}
