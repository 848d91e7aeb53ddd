package dev.waituntil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.servlet.JakartaStandaloneDrain;
import dev.waituntil.servlet.JavaxStandaloneDrain;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API's {@code ServletContainerInitializer}s and the listener they register: without the agent, the
 * application's standalone tasks are drained at its {@code contextDestroyed}, and one line says so.
 */
class StandaloneDrainListenerTest {

    private static final String TEARDOWN_LINE = "drained application /shop at its teardown";

    private CapturedLog log;

    @BeforeEach
    void setUp() {
        log = new CapturedLog();
        FakeBridge.calls.clear();
        FakeBridge.installed = true;
        FakeBridge.refuseWith = null;
    }

    @AfterEach
    void restore() {
        WaitUntil.use(null);
        System.clearProperty("waituntil.drain.timeout");
        log.close();
    }

    @Test
    void eachInitializerRegistersItsListener() {
        List<Object> added = new ArrayList<Object>();
        new JavaxStandaloneDrain()
                .onStartup(
                        Collections.<Class<?>>emptySet(),
                        servletContext(javax.servlet.ServletContext.class, "/shop", added));
        new JakartaStandaloneDrain()
                .onStartup(
                        Collections.<Class<?>>emptySet(),
                        servletContext(jakarta.servlet.ServletContext.class, "/shop", added));
        assertEquals(2, added.size(), added.toString());
        assertTrue(added.get(0) instanceof javax.servlet.ServletContextListener, added.toString());
        assertTrue(added.get(1) instanceof jakarta.servlet.ServletContextListener, added.toString());
    }

    @Test
    void contextDestroyedDrainsTheApplicationsTasksEndsItsWorkersAndSaysSoInOneLine() throws Exception {
        StandaloneBackend backend = new StandaloneBackend(false);
        WaitUntil.use(backend);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] worker = new Thread[1];
        CompletableFuture<Void> receipt = WaitUntil.run("send receipt", () -> {
            worker[0] = Thread.currentThread();
            awaitQuietly(release);
        });
        CompletableFuture<String> stage = WaitUntil.register("index order", new CompletableFuture<String>());
        Thread listener = Thread.currentThread();
        Thread finisher = new Thread(() -> {
            // Once contextDestroyed waits in the drain: the tasks finish while the teardown waits for them.
            while (listener.getState() != Thread.State.TIMED_WAITING) {
                Thread.yield();
            }
            release.countDown();
            stage.complete("indexed");
        });
        finisher.setDaemon(true);

        finisher.start();
        javaxDestroyed("/shop");

        assertTrue(receipt.isDone() && !receipt.isCompletedExceptionally(), "the run task finished");
        assertTrue(stage.isDone(), "the registered stage finished");
        assertEquals(0, WaitUntil.pending());
        assertFalse(
                worker[0].isAlive(),
                "the worker thread ended before contextDestroyed returned: the container "
                        + "sees no thread of the application left running");
        List<String> lines = teardownLines();
        assertEquals(1, lines.size(), log.messages().toString());
        assertTrue(lines.get(0).contains("2 task(s) pending, all finished in "), lines.get(0));

        RejectedTaskException late = assertThrows(
                RejectedTaskException.class,
                () -> WaitUntil.register("after the teardown", new CompletableFuture<Object>()));
        assertTrue(
                late.getMessage().contains("'after the teardown'")
                        && late.getMessage().contains("application /shop has stopped"),
                late.getMessage());
    }

    @Test
    void theJakartaListenerDrainsTheSameWay() {
        WaitUntil.use(new StandaloneBackend(false));
        CompletableFuture<Void> task = WaitUntil.run("jakarta task", () -> sleep(100));
        jakarta.servlet.ServletContext context =
                servletContext(jakarta.servlet.ServletContext.class, "/shop", new ArrayList<Object>());
        new JakartaStandaloneDrain().contextDestroyed(new jakarta.servlet.ServletContextEvent(context));
        assertTrue(task.isDone());
        assertEquals(1, teardownLines().size(), log.messages().toString());
    }

    @Test
    void theDrainAtTeardownEndsAtTheDrainTimeoutNamingAndCancellingWhatIsLeft() {
        System.setProperty("waituntil.drain.timeout", "300ms");
        WaitUntil.use(new StandaloneBackend(false));
        CompletableFuture<Void> stuck = WaitUntil.run("never ends", () -> awaitQuietly(new CountDownLatch(1)));

        javaxDestroyed("/shop");

        assertTrue(stuck.isCancelled());
        assertTrue(
                log.messages().stream().anyMatch(m -> m.contains("'never ends' still pending")),
                log.messages().toString());
        List<String> lines = teardownLines();
        assertEquals(1, lines.size(), log.messages().toString());
        assertTrue(
                lines.get(0).contains("1 task(s) pending, 1 still pending after ")
                        && lines.get(0).endsWith("cancelled"),
                lines.get(0));
    }

    @Test
    void theJvmShutdownHookIsRemovedAtTheTeardownSoThatItNeverRunsForTheStoppedApplication() {
        StandaloneBackend backend = new StandaloneBackend(true);
        WaitUntil.use(backend);
        WaitUntil.register("done at once", CompletableFuture.completedFuture("x"));
        javaxDestroyed("/shop");
        assertFalse(Runtime.getRuntime().removeShutdownHook(backend.hook), "the teardown removed the hook already");
    }

    @Test
    void registeredTwiceTheListenerDrainsOnce() {
        WaitUntil.use(new StandaloneBackend(false));
        WaitUntil.register("a task", CompletableFuture.completedFuture("x"));
        javaxDestroyed("/shop");
        javaxDestroyed("/shop");
        assertEquals(1, teardownLines().size(), log.messages().toString());
    }

    @Test
    void withTheAgentTheListenerDoesNothing() {
        WaitUntil.use(AgentBackend.bind(FakeBridge.class, null));
        javaxDestroyed("/shop");
        assertEquals(Collections.emptyList(), log.messages(), "not a line");
        assertEquals(Collections.emptyList(), FakeBridge.calls, "the agent's runtime is left alone");
        WaitUntil.register("still the agent's", new CompletableFuture<Object>());
        assertEquals(Collections.singletonList("register still the agent's CompletableFuture"), FakeBridge.calls);
    }

    @Test
    void anApplicationThatNeverTrackedATaskStartsNoStandaloneModeAtItsTeardown() {
        WaitUntil.use(null);
        javaxDestroyed("/shop");
        assertEquals(Collections.emptyList(), log.messages(), "no 'agent is not attached' warning, no drain line");
    }

    @Test
    void theContainerFindsEachInitializerUnderItsNamespacesServiceName() {
        assertEquals(
                Collections.singletonList(JavaxStandaloneDrain.class.getName()),
                providers(ServiceLoader.load(javax.servlet.ServletContainerInitializer.class)));
        assertEquals(
                Collections.singletonList(JakartaStandaloneDrain.class.getName()),
                providers(ServiceLoader.load(jakarta.servlet.ServletContainerInitializer.class)));
    }

    /**
     * A container has one servlet namespace: its ServiceLoader loads that namespace's initializer from the
     * API jar, which must start, register its listener and drain at teardown with no class of the other.
     */
    @Test
    void aContainerWithOneNamespaceRunsItsInitializerWithoutTheOther() throws Exception {
        for (String namespace : new String[] {"javax", "jakarta"}) {
            String other = namespace.equals("javax") ? "jakarta" : "javax";
            URL servletApi = (namespace.equals("javax")
                            ? javax.servlet.ServletContext.class
                            : jakarta.servlet.ServletContext.class)
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation();
            URL apiClasses =
                    WaitUntil.class.getProtectionDomain().getCodeSource().getLocation();
            try (URLClassLoader application = new URLClassLoader(new URL[] {apiClasses, servletApi}, null)) {
                assertThrows(
                        ClassNotFoundException.class,
                        () -> Class.forName(other + ".servlet.ServletContext", false, application),
                        "precondition");
                Class<?> sciType = application.loadClass(namespace + ".servlet.ServletContainerInitializer");
                Iterator<?> found = ServiceLoader.load(sciType, application).iterator();
                Object initializer = found.next();
                assertFalse(found.hasNext(), namespace + ": one initializer");
                assertSame(application, initializer.getClass().getClassLoader());

                Class<?> contextType = application.loadClass(namespace + ".servlet.ServletContext");
                List<Object> added = new ArrayList<Object>();
                Object context = servletContext(contextType, "/shop", added);
                sciType.getMethod("onStartup", java.util.Set.class, contextType)
                        .invoke(initializer, Collections.emptySet(), context);
                assertEquals(1, added.size(), namespace + ": its listener");

                // Standalone mode in that application, then its teardown through the listener.
                application
                        .loadClass("dev.waituntil.WaitUntil")
                        .getMethod("register", String.class, CompletableFuture.class)
                        .invoke(null, namespace + " task", CompletableFuture.completedFuture("x"));
                Class<?> eventType = application.loadClass(namespace + ".servlet.ServletContextEvent");
                Object event = eventType.getConstructor(contextType).newInstance(context);
                application
                        .loadClass(namespace + ".servlet.ServletContextListener")
                        .getMethod("contextDestroyed", eventType)
                        .invoke(added.get(0), event);
            }
        }
        assertEquals(2, teardownLines().size(), log.messages().toString());
    }

    // ------------------------------------------------------------------ helpers

    private static void javaxDestroyed(String contextPath) {
        javax.servlet.ServletContext context =
                servletContext(javax.servlet.ServletContext.class, contextPath, new ArrayList<Object>());
        new JavaxStandaloneDrain().contextDestroyed(new javax.servlet.ServletContextEvent(context));
    }

    private List<String> teardownLines() {
        return log.messages().stream().filter(m -> m.contains(TEARDOWN_LINE)).collect(Collectors.toList());
    }

    /** A servlet context of either namespace that knows its path and records the listeners added to it. */
    private static <C> C servletContext(Class<C> type, String contextPath, List<Object> added) {
        InvocationHandler handler = (Object proxy, Method method, Object[] args) -> {
            switch (method.getName()) {
                case "getContextPath":
                    return contextPath;
                case "addListener":
                    added.add(args[0]);
                    return null;
                case "toString":
                    return "servlet context " + contextPath;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private static List<String> providers(ServiceLoader<?> loader) {
        List<String> names = new ArrayList<String>();
        for (Object provider : loader) {
            names.add(provider.getClass().getName());
        }
        return names;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
