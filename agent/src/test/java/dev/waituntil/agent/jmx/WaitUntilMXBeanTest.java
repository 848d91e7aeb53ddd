package dev.waituntil.agent.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MXBean in a real MBean server of its own, over a real {@link TaskRuntime}, read and invoked the
 * way a generic JMX client does: attribute names, open types ({@code CompositeData}), operations by name.
 */
class WaitUntilMXBeanTest {

    /** How long a test waits for what happens at once before it fails: a hang guard, not a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    private final List<TaskRuntime> runtimes = new ArrayList<>();
    private final List<CompletableFuture<?>> open = new ArrayList<>();
    private final Log log = new Log();
    private final ObjectName name = JmxRegistration.objectName();
    private final Map<String, ClassLoader> loaders = new HashMap<>();

    @AfterEach
    void cleanUp() {
        open.forEach(f -> f.complete(null));
        runtimes.forEach(TaskRuntime::shutdownExecutor);
        log.close();
    }

    private TaskRuntime runtime(String... settings) {
        Map<String, String> properties = new HashMap<>();
        for (String s : settings) {
            int eq = s.indexOf('=');
            properties.put("waituntil." + s.substring(0, eq), s.substring(eq + 1));
        }
        List<String> problems = new ArrayList<>();
        TaskRuntime runtime = new TaskRuntime(Config.load(null, properties, Collections.emptyMap(), problems::add));
        assertEquals(List.of(), problems);
        runtimes.add(runtime);
        return runtime;
    }

    private MBeanServer serverWith(TaskRuntime runtime) throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer(); // not kept by the factory: nothing to release
        JmxRegistration.register(server, runtime, "9.9.9-test");
        return server;
    }

    /** A new application: its scope, named as a request would name it. Its loader is kept, as a container would. */
    private Scope application(TaskRuntime runtime, String contextPath) {
        ClassLoader loader = new URLClassLoader(new URL[0], WaitUntilMXBeanTest.class.getClassLoader());
        loaders.put(contextPath, loader);
        Scope scope = runtime.scopeOf(loader);
        scope.rename(contextPath);
        return scope;
    }

    private CompletableFuture<Void> pending(TaskRuntime runtime, String label, Scope scope, RequestInfo request) {
        CompletableFuture<Void> task = new CompletableFuture<>();
        runtime.register(label, task, scope, request);
        open.add(task);
        return task;
    }

    @Test
    void theMBeanIsAnMXBeanUnderItsNameWithEveryAttributeAndOperation() throws Exception {
        MBeanServer server = serverWith(runtime());
        assertTrue(server.isRegistered(new ObjectName("dev.waituntil:type=WaitUntil")));
        MBeanInfo info = server.getMBeanInfo(name);
        assertEquals("true", info.getDescriptor().getFieldValue("mxbean"), "an MXBean: open types only");
        Set<String> attributes = Arrays.stream(info.getAttributes())
                .map(MBeanAttributeInfo::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(
                new TreeSet<>(List.of(
                        "Version",
                        "Pending",
                        "Registered",
                        "Completed",
                        "Failed",
                        "Cancelled",
                        "Rejected",
                        "OldestPendingMillis",
                        "RequestsInFlight",
                        "ShuttingDown",
                        "Applications",
                        "Settings")),
                attributes);
        Arrays.stream(info.getAttributes()).forEach(a -> assertFalse(a.isWritable(), a.getName() + " is read-only"));
        Set<String> operations = Arrays.stream(info.getOperations())
                .map(MBeanOperationInfo::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("listPendingTasks", "drainApplication", "drainAll")), operations);
    }

    @Test
    void everyAttributeReadsTheRuntime() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=5s");
        MBeanServer server = serverWith(runtime);
        Scope shop = application(runtime, "/shop");
        Scope other = application(runtime, "/other");

        long beforeTheOldest = System.nanoTime();
        pending(runtime, "jvm-task", runtime.jvm(), null);
        pending(runtime, "shop-task", shop, new RequestInfo("GET", "/shop/cart", 1));
        runtime.register("done", CompletableFuture.completedFuture("x"), shop, null);
        CompletableFuture<Void> failing = new CompletableFuture<>();
        runtime.register("fails", failing, other, null);
        failing.completeExceptionally(new IllegalStateException("expected by the test"));
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        runtime.register("cancelled", cancelled, other, null);
        cancelled.cancel(true);
        Scope gone = application(runtime, "/gone");
        runtime.drainApplication(gone);
        assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("too-late", new CompletableFuture<>(), gone, null));
        Scope busy = runtime.requestStarted(loaders.get("/shop"));
        Thread.sleep(30);

        assertEquals(2, server.getAttribute(name, "Pending"));
        assertEquals(5L, server.getAttribute(name, "Registered"));
        assertEquals(1L, server.getAttribute(name, "Completed"));
        assertEquals(1L, server.getAttribute(name, "Failed"));
        assertEquals(1L, server.getAttribute(name, "Cancelled"));
        assertEquals(1L, server.getAttribute(name, "Rejected"));
        long oldest = (Long) server.getAttribute(name, "OldestPendingMillis");
        long sinceTheOldest = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeTheOldest);
        // Milliseconds, of the oldest task: at least the 30 ms slept, at most the time since just before it was
        // registered.
        assertTrue(
                oldest >= 30 && oldest <= sinceTheOldest,
                "the oldest task's age: " + oldest + " ms, registered less than " + sinceTheOldest + " ms ago");
        assertEquals(1, server.getAttribute(name, "RequestsInFlight"));
        assertEquals(false, server.getAttribute(name, "ShuttingDown"));
        assertEquals("9.9.9-test", server.getAttribute(name, "Version"));
        String settings = (String) server.getAttribute(name, "Settings");
        assertTrue(settings.startsWith("drain.timeout=5s (system property), drain.cancel=true"), settings);

        CompositeData[] apps = (CompositeData[]) server.getAttribute(name, "Applications");
        Map<String, String> byName = new HashMap<>();
        for (CompositeData a : apps) {
            byName.put(
                    (String) a.get("name"),
                    a.get("pending") + " pending, " + a.get("requestsInFlight") + " in flight, "
                            + (Boolean.TRUE.equals(a.get("drained")) ? "drained" : "open"));
        }
        assertEquals(
                Map.of(
                        "/shop",
                        "1 pending, 1 in flight, open",
                        "/other",
                        "0 pending, 0 in flight, open",
                        "/gone",
                        "0 pending, 0 in flight, drained"),
                byName);

        runtime.requestEnded(busy);
        runtime.beginShutdown();
        assertEquals(true, server.getAttribute(name, "ShuttingDown"));
        assertEquals(0, server.getAttribute(name, "RequestsInFlight"));
    }

    @Test
    void oldestPendingIsZeroWhenNothingIsPendingAndGrowsWithTheOldestTask() throws Exception {
        TaskRuntime runtime = runtime();
        MBeanServer server = serverWith(runtime);
        assertEquals(0L, server.getAttribute(name, "OldestPendingMillis"));
        CompletableFuture<Void> first = pending(runtime, "first", runtime.jvm(), null);
        Thread.sleep(120);
        long beforeTheSecond = System.nanoTime();
        pending(runtime, "second", runtime.jvm(), null);
        long oldest = (Long) server.getAttribute(name, "OldestPendingMillis");
        assertTrue(oldest >= 120, "the first task's age, not the second's: " + oldest);
        first.complete(null);
        long oldestNow = (Long) server.getAttribute(name, "OldestPendingMillis");
        long sinceTheSecond = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeTheSecond);
        // The second task's age is at most the time since just before it was registered; the first's was 120 ms more.
        assertTrue(
                oldestNow <= sinceTheSecond,
                "now the second task is the oldest: " + oldestNow + " ms, registered less than " + sinceTheSecond
                        + " ms ago");
    }

    @Test
    void listPendingTasksGivesLabelAgeRequestApplicationAndIdOldestFirst() throws Exception {
        TaskRuntime runtime = runtime();
        MBeanServer server = serverWith(runtime);
        Scope shop = application(runtime, "/shop");
        pending(runtime, "nightly-export", runtime.jvm(), null);
        Thread.sleep(60);
        pending(runtime, "send-mail", shop, new RequestInfo("POST", "/shop/order", 7));
        pending(runtime, "line\nbreak", shop, null);

        CompositeData[] tasks = (CompositeData[]) server.invoke(name, "listPendingTasks", new Object[0], new String[0]);
        assertEquals(3, tasks.length);
        assertEquals(
                Set.of("label", "ageMillis", "request", "application", "id"),
                tasks[0].getCompositeType().keySet());
        assertEquals("nightly-export", tasks[0].get("label"));
        assertEquals("", tasks[0].get("request"));
        assertEquals("the JVM", tasks[0].get("application"));
        assertTrue((Long) tasks[0].get("ageMillis") >= 60, "oldest first: " + tasks[0]);
        List<String> rest = List.of(
                tasks[1].get("label") + " | " + tasks[1].get("request") + " | " + tasks[1].get("application"),
                tasks[2].get("label") + " | " + tasks[2].get("request") + " | " + tasks[2].get("application"));
        assertEquals(
                Set.of("send-mail | POST /shop/order | /shop", "line\\nbreak |  | /shop"),
                Set.copyOf(rest),
                "a label's control characters are escaped as in the log");
        assertTrue((Long) tasks[1].get("ageMillis") >= (Long) tasks[2].get("ageMillis"));
        assertTrue((Long) tasks[0].get("id") > 0);
    }

    @Test
    void aJavaClientCanUseATypedProxy() throws Exception {
        TaskRuntime runtime = runtime();
        MBeanServer server = serverWith(runtime);
        pending(runtime, "typed", application(runtime, "/shop"), new RequestInfo("GET", "/shop/x", 1));
        WaitUntilMXBean proxy = JMX.newMXBeanProxy(server, name, WaitUntilMXBean.class);
        assertEquals(1, proxy.getPending());
        PendingTask task = proxy.listPendingTasks()[0];
        assertEquals(
                "typed | GET /shop/x | /shop",
                task.getLabel() + " | " + task.getRequest() + " | " + task.getApplication());
        ApplicationStatus app = proxy.getApplications()[0];
        assertEquals("/shop 1 false", app.getName() + " " + app.getPending() + " " + app.isDrained());
    }

    @Test
    void drainApplicationWaitsForItsTasksThenItRejectsNewOnesWhileOthersGoOn() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=60s");
        MBeanServer server = serverWith(runtime);
        Scope shop = application(runtime, "/shop");
        Scope other = application(runtime, "/other");
        CompletableFuture<Void> shopTask = pending(runtime, "shop-task", shop, null);
        pending(runtime, "other-task", other, null);
        CountDownLatch draining = new CountDownLatch(1);
        new Thread(() -> {
                    try {
                        draining.await();
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        return;
                    }
                    shopTask.complete(null);
                })
                .start();

        long start = System.nanoTime(); // before the task's 300 ms begin: a floor the clock guarantees
        draining.countDown();
        String report = (String)
                server.invoke(name, "drainApplication", new Object[] {"/shop"}, new String[] {String.class.getName()});
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(shopTask.isDone(), "the drain returned after the task finished");
        // Waited for the task (its 300 ms), and returned on its completion, far from the 60 s deadline.
        assertTrue(millis >= 250, "waited for the task: " + millis + " ms");
        assertTrue(millis < 20_000, "returned on the task's completion, not at the 60 s deadline: " + millis + " ms");
        assertTrue(report.startsWith("OK: drain of application /shop for an operator (JMX): "), report);
        assertTrue(
                report.contains("all tasks finished")
                        && report.endsWith(". From now on application /shop rejects new tasks."),
                report);
        RejectedExecutionException rejected = assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("after", new CompletableFuture<>(), shop, null));
        assertTrue(
                rejected.getMessage().contains("application /shop has been drained for an operator (JMX)"),
                rejected.getMessage());
        pending(runtime, "other-still-accepts", other, null);
        assertEquals(2, server.getAttribute(name, "Pending"), "/other's two tasks");
        assertEquals(1L, server.getAttribute(name, "Rejected"));
        assertEquals(
                1, log.containing("an operator (JMX) drains application /shop").size(), log.toString());
        assertEquals(
                1,
                log.containing("drain of application /shop for an operator (JMX)")
                        .size(),
                log.toString());

        String again = (String)
                server.invoke(name, "drainApplication", new Object[] {"shop"}, new String[] {String.class.getName()});
        assertTrue(
                again.startsWith("OK: drain of application /shop") && again.contains("(it had been drained before)"),
                "'shop' is /shop, and a second drain returns at once: " + again);
    }

    @Test
    void aDrainThatTimesOutNamesTheTaskAndCancelsIt() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=300ms");
        MBeanServer server = serverWith(runtime);
        Scope shop = application(runtime, "/shop");
        CompletableFuture<Void> stuck = pending(runtime, "never-ends", shop, new RequestInfo("GET", "/shop/stuck", 3));

        String report = (String)
                server.invoke(name, "drainApplication", new Object[] {"/shop"}, new String[] {String.class.getName()});

        assertTrue(report.startsWith("TIMED OUT: drain of application /shop for an operator (JMX): "), report);
        assertTrue(report.contains("1 still pending: 'never-ends' (age "), report);
        assertTrue(report.contains("request GET /shop/stuck (request 3), application /shop)"), report);
        assertTrue(report.contains("cancelled: 1"), report);
        assertTrue(stuck.isCancelled(), "drain.cancel=true cancels it");
    }

    @Test
    void drainAllDrainsEveryApplicationAndTheJvm() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=10s");
        MBeanServer server = serverWith(runtime);
        Scope shop = application(runtime, "/shop");
        CompletableFuture<Void> task = pending(runtime, "t", shop, null);
        CompletableFuture.runAsync(() -> {
            sleep(200);
            task.complete(null);
        });
        String report = (String) server.invoke(name, "drainAll", new Object[0], new String[0]);
        assertTrue(report.startsWith("OK: drain of the JVM for an operator (JMX): "), report);
        assertTrue(task.isDone());
        assertThrows(
                RejectedExecutionException.class, () -> runtime.register("a", new CompletableFuture<>(), shop, null));
        assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("b", new CompletableFuture<>(), runtime.jvm(), null));
        assertThrows(
                RejectedExecutionException.class,
                () -> runtime.register("c", new CompletableFuture<>(), application(runtime, "/new"), null));
        assertEquals(false, server.getAttribute(name, "ShuttingDown"), "an operator's drain is not a stop");
    }

    @Test
    void anUnknownApplicationIsAClearErrorListingTheKnownOnes() throws Exception {
        TaskRuntime runtime = runtime();
        MBeanServer server = serverWith(runtime);
        application(runtime, "/shop");
        application(runtime, "/");
        RuntimeMBeanException e = assertThrows(
                RuntimeMBeanException.class,
                () -> server.invoke(
                        name, "drainApplication", new Object[] {"/shpo"}, new String[] {String.class.getName()}));
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(
                cause.getMessage().contains("no application named '/shpo' in this JVM; known: /shop, /."),
                cause.getMessage());
        RuntimeMBeanException blank = assertThrows(
                RuntimeMBeanException.class,
                () -> server.invoke(
                        name, "drainApplication", new Object[] {null}, new String[] {String.class.getName()}));
        assertTrue(
                blank.getCause().getMessage().contains("name the application to drain"),
                blank.getCause().getMessage());
        assertEquals(0, log.containing("drains").size(), "nothing was drained: " + log);
    }

    @Test
    void registersInThePlatformServerFromABackgroundThreadAndASecondTimeIsOneWarning() throws Exception {
        TaskRuntime runtime = runtime("debug=true");
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        try {
            JmxRegistration.registerInBackground(runtime, "1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
            while (!platform.isRegistered(name) && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            assertTrue(platform.isRegistered(name));
            awaitLog("registered in the platform MBean server");
            JmxRegistration.registerInBackground(runtime, "2");
            awaitLog("is already registered in this JVM");
            assertEquals("1", platform.getAttribute(name, "Version"));
        } finally {
            if (platform.isRegistered(name)) {
                platform.unregisterMBean(name);
            }
        }
    }

    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (log.containing(text).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no log line containing '" + text + "': " + log);
            }
            Thread.sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The agent's log lines (SLF4J -> java.util.logging). */
    private static final class Log extends Handler {
        private final Logger logger = Logger.getLogger("dev.waituntil.agent");
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        Log() {
            logger.addHandler(this);
        }

        List<String> containing(String text) {
            synchronized (lines) {
                return lines.stream().filter(l -> l.contains(text)).collect(Collectors.toList());
            }
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }

        @Override
        public String toString() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
