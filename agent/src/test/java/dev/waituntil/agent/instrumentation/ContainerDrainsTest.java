package dev.waituntil.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.TestConfigs;
import dev.waituntil.agent.instrumentation.jetty.JettyAccess;
import dev.waituntil.agent.instrumentation.tomcat.TomcatAccess;
import dev.waituntil.agent.runtime.CapturedLog;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the stop hooks do with the objects they are given: on an embedded Tomcat and Jetty, and on stand-ins that
 * have the methods Spring Boot's classes have (the agent reads them by name; a Spring Boot web server cannot be made
 * without Spring Boot). The inflow stops before the drain waits, and a drain happens only where a stop is certain.
 */
class ContainerDrainsTest {

    private final TaskRuntime runtime = new TaskRuntime(TestConfigs.of("drain.timeout=60s"));
    private final ContainerDrains drains = new ContainerDrains(runtime, List.of(new TomcatAccess(), new JettyAccess()));
    /** The hooks as the advice reaches them. */
    private final ContainerHookDispatch hooks = new ContainerHookDispatch(drains);
    /** What happened, in order: "shutdown" when a connector stopped accepting, "done" when the task finished. */
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        runtime.shutdownExecutor();
    }

    /** Jetty's {@code ServerConnector}: {@code shutdown()} stops accepting. */
    public final class Connector {
        public void shutdown() {
            events.add("shutdown");
        }
    }

    /** Jetty's {@code Server}. */
    public final class JettyServer {
        public Object[] getConnectors() {
            return new Object[] {new Connector(), new Connector()};
        }
    }

    /** Spring Boot's {@code JettyWebServer}. */
    public final class WebServer {
        public Object getServer() {
            return server;
        }
    }

    private final JettyServer server = new JettyServer();

    /** A Spring Boot context with an embedded web server. */
    public final class BootContext {
        public Object getWebServer() {
            return new WebServer();
        }

        public ClassLoader getClassLoader() {
            return ContainerDrainsTest.class.getClassLoader();
        }
    }

    /** A Spring context without a web server of its own (in a WAR, or a plain context), with the given loader. */
    public static final class PlainContext {
        private final ClassLoader loader;

        PlainContext(ClassLoader loader) {
            this.loader = loader;
        }

        public Object getWebServer() {
            return null;
        }

        public ClassLoader getClassLoader() {
            return loader;
        }
    }

    /**
     * Completes {@code task} once both connectors have stopped accepting, as a request in flight would end. Waiting for
     * the first alone let "done" land between the two under load: the drain then still returned only on the task's
     * end, but the recorded order said otherwise.
     */
    private void finishAfterShutdown(CompletableFuture<String> task) {
        Thread finisher = new Thread(() -> {
            while (Collections.frequency(events, "shutdown") < 2) {
                Thread.onSpinWait();
            }
            events.add("done");
            task.complete("sent");
        });
        finisher.setDaemon(true);
        finisher.start();
    }

    @Test
    void aClosingBootContextStopsItsServersInflowThenWaitsForEveryTask() {
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        finishAfterShutdown(task);

        drains.springContextClosing(new BootContext());

        assertEquals(
                List.of("shutdown", "shutdown", "done"),
                events.subList(0, 3),
                "both connectors stopped accepting before the drain returned on the task's end");
        assertTrue(task.isDone());
        assertTrue(runtime.isShuttingDown(), "the server's stop has begun");
        assertTrue(runtime.jvm().isDrained(), "work registered after the drain is refused, as after any stop");
    }

    /** Spring Boot's {@code NettyWebServer}: nothing the agent knows how to stop. */
    public static final class OtherWebServer {}

    /** A Spring Boot context with an embedded server that is neither Tomcat nor Jetty. */
    public static final class ReactiveContext {
        public Object getWebServer() {
            return new OtherWebServer();
        }
    }

    @Test
    void aClosingBootContextWithAnotherServerStillDrainsBeforeItsBeansClose() {
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        new Thread(() -> task.complete("sent")).start();

        drains.springContextClosing(new ReactiveContext());

        assertTrue(task.isDone(), "the drain waited for the task");
        assertTrue(runtime.isShuttingDown());
        assertTrue(events.isEmpty(), "no connector to stop");
    }

    @Test
    void theJvmHookStopsTheInflowOfEveryServerStartedInThisJvmBeforeItDrains() {
        drains.serverStarting(server);
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        finishAfterShutdown(task);

        drains.jvmStopping();

        assertEquals(List.of("shutdown", "shutdown", "done"), events.subList(0, 3));
        assertTrue(task.isDone());
    }

    @Test
    void aClosingSpringContextInAWarDrainsItsApplicationOnlyAndTheServerGoesOn() {
        ClassLoader war = new URLClassLoader(new URL[0], getClass().getClassLoader());
        Scope application = runtime.scopeOf(war);
        CompletableFuture<String> other = new CompletableFuture<>();
        runtime.register("another application's task", other, runtime.jvm(), null);

        drains.springContextClosing(new PlainContext(war));

        assertTrue(application.isDrained(), "the WAR's scope is drained");
        assertFalse(runtime.jvm().isDrained(), "the JVM and its other applications still accept work");
        assertFalse(runtime.isShuttingDown());
        assertTrue(events.isEmpty(), "no connector was touched");
    }

    @Test
    void aContextThatClosesInAJvmThatGoesOnDrainsNothing() {
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("a test's task", task, runtime.jvm(), null);

        drains.springContextClosing(new PlainContext(getClass().getClassLoader()));

        assertFalse(runtime.jvm().isDrained(), "the next context of a test suite may still register work");
        assertEquals(1, runtime.pending(runtime.jvm()));
    }

    /** A servlet of a container the agent has no stop hooks for. */
    public static final class ForeignServlet {
        public Object getServletContext() {
            return new ForeignContext();
        }
    }

    public static final class ForeignContext {
        public String getServerInfo() {
            return "Acme Server/2.0";
        }
    }

    @Test
    void anApplicationTornDownBeforeAnyStopHookOfItsHostIsDrainedThereAndTheHostIsNamedOnce() throws Exception {
        ClassLoader war = new ChildFirst(getClass().getClassLoader(), ForeignServlet.class, ForeignContext.class);
        Scope application = runtime.scopeOf(war);
        application.rename("/shop");
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, application, null);
        Class<?> servlet = war.loadClass(ForeignServlet.class.getName());
        Object component = servlet.getConstructor().newInstance();
        new Thread(() -> task.complete("sent")).start();
        try (CapturedLog log = new CapturedLog()) {
            drains.applicationDestroying(component);
            drains.applicationDestroying(component); // the next servlet of the same application
            List<String> lines = log.linesContaining("no stop hook of its host");
            assertEquals(1, lines.size(), log.lines().toString());
            assertTrue(
                    lines.get(0).contains("application /shop")
                            && lines.get(0).contains(ForeignServlet.class.getName())
                            && lines.get(0).contains("Acme Server/2.0, " + ForeignContext.class.getName()),
                    lines.get(0));
        }
        assertTrue(task.isDone(), "the drain waited for the application's task");
        assertTrue(application.isDrained());
    }

    // ------------------------------------------------------------------ on Tomcat and Jetty themselves

    @TempDir
    Path baseDir;

    private Tomcat tomcat;
    private org.eclipse.jetty.server.Server jetty;

    @AfterEach
    void stopContainers() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        if (jetty != null) {
            jetty.stop();
        }
    }

    private Tomcat startedTomcat(String... contextPaths) throws LifecycleException {
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);
        tomcat.getConnector()
                .setProperty("address", InetAddress.getLoopbackAddress().getHostAddress());
        for (String path : contextPaths) {
            tomcat.addContext(path, baseDir.toString());
        }
        tomcat.start();
        return tomcat;
    }

    @Test
    void aTomcatApplicationsStopDrainsItUnderItsPathWhileTheBackgroundProcessorPassesItOver() throws Exception {
        Context shop = (Context) startedTomcat("/shop").getHost().findChild("/shop");
        Scope application = runtime.scopeOf(shop.getLoader().getClassLoader());
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, application, null);
        TaskFinisher.finishWhen(task, () -> drains.isDrainingApplication(shop));

        drains.tomcatContextStopping(shop);

        assertTrue(task.isDone(), "the drain waited for the application's task");
        assertTrue(application.isDrained());
        assertEquals("/shop", application.name());
        assertTrue(
                drains.isDrainingApplication(shop),
                "passed over after its drain too, while Tomcat's stop of it goes on and clears its references");
        drains.tomcatContextStopped(shop);
        assertFalse(drains.isDrainingApplication(shop), "only until the end of its stop");
        assertFalse(runtime.jvm().isDrained(), "the server and its other applications go on");
    }

    @Test
    void aJettyApplicationsStopDrainsItUnderItsPath() throws Exception {
        ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
        ContextHandler shop = new ContextHandler("/shop");
        shop.setClassLoader(webapp);
        Scope application = runtime.scopeOf(webapp);
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, application, null);
        TaskFinisher.finishWhen(task, () -> drains.isDrainingApplication(shop));

        drains.applicationStopping(shop);

        assertTrue(task.isDone());
        assertTrue(application.isDrained());
        assertEquals("/shop", application.name());
        assertFalse(runtime.jvm().isDrained());
    }

    @Test
    void aTomcatServerStopFixesTheDeadlineAndTheEngineNotAHostDrainsWithItsSocketsClosed() throws Exception {
        Tomcat tomcat = startedTomcat("/shop");
        int port = tomcat.getConnector().getLocalPort();
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);

        hooks.tomcatServerStopping(tomcat.getServer());
        assertTrue(runtime.isShuttingDown(), "the deadline starts at the server's stop");
        tomcat.getConnector().pause(); // what Tomcat does next
        hooks.tomcatContainerStopping(tomcat.getHost());
        hooks.tomcatContainerStopping(tomcat.getHost().findChild("/shop"));
        assertFalse(runtime.jvm().isDrained(), "hosts and contexts stop through ContainerBase too: no drain there");

        TaskFinisher.finishWhen(task, () -> refused(port));
        hooks.tomcatContainerStopping(tomcat.getEngine());

        assertTrue(task.isDone(), "the engine's stop waited for the task, with the listening socket closed");
        assertTrue(runtime.jvm().isDrained());
    }

    @Test
    void aJettyServerStopStopsItsConnectorsAcceptingThenDrains() throws Exception {
        jetty = new org.eclipse.jetty.server.Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        jetty.addConnector(connector);
        jetty.start();
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        TaskFinisher.finishWhen(task, connector::isShutdown);

        hooks.jettyServerStopping(jetty);

        assertTrue(task.isDone(), "the drain waited for the task, which ended once the connector stopped accepting");
        assertTrue(runtime.isShuttingDown());
        assertTrue(runtime.jvm().isDrained());
    }

    @Test
    void theJvmHookStopsARealTomcatsInflowBeforeItDrains() throws Exception {
        Tomcat tomcat = startedTomcat();
        int port = tomcat.getConnector().getLocalPort();
        drains.serverStarting(tomcat.getServer());
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        TaskFinisher.finishWhen(task, () -> refused(port));

        drains.jvmStopping();

        assertTrue(task.isDone());
        assertTrue(runtime.jvm().isDrained());
    }

    private static boolean refused(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** An application's loader: defines the given classes itself, so that they belong to it. */
    private static final class ChildFirst extends ClassLoader {
        private final List<String> names;

        ChildFirst(ClassLoader parent, Class<?>... own) {
            super(parent);
            this.names = java.util.Arrays.stream(own).map(Class::getName).collect(java.util.stream.Collectors.toList());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!names.contains(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> known = findLoadedClass(name);
                if (known != null) {
                    return known;
                }
                try (java.io.InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (java.io.IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }
}
