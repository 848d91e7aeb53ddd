package dev.waituntil.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.TestConfigs;
import dev.waituntil.agent.hook.ContainerAccess;
import dev.waituntil.agent.runtime.CapturedLog;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drain knows a container only through its {@link ContainerAccess}: here one that no real container stands
 * behind, which records what the drain asks of it.
 */
class ContainerDrainsAnyContainerTest {

    /** A server of the made-up container; one that stops itself has a JVM shutdown hook of its own. */
    static final class AcmeServer {
        final boolean stopsItself;

        AcmeServer() {
            this(false);
        }

        AcmeServer(boolean stopsItself) {
            this.stopsItself = stopsItself;
        }
    }

    /** An application's context of the made-up container. */
    static final class AcmeContext {
        final ClassLoader loader;
        final String path;

        AcmeContext(ClassLoader loader, String path) {
            this.loader = loader;
            this.path = path;
        }
    }

    /** The made-up container's access: its servers' connectors stop accepting into {@link #stopped}. */
    static final class AcmeAccess implements ContainerAccess {
        final List<Object> stopped = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "Acme";
        }

        @Override
        public boolean isServer(Object object) {
            return object instanceof AcmeServer;
        }

        @Override
        public int stopAccepting(Object server) {
            stopped.add(server);
            return 1;
        }

        @Override
        public boolean stopsItselfAtJvmExit(Object server) {
            return ((AcmeServer) server).stopsItself;
        }

        @Override
        public boolean isContext(Object object) {
            return object instanceof AcmeContext;
        }

        @Override
        public ClassLoader applicationLoader(Object context) {
            return ((AcmeContext) context).loader;
        }

        @Override
        public String contextPath(Object context) {
            return ((AcmeContext) context).path;
        }
    }

    private final TaskRuntime runtime = new TaskRuntime(TestConfigs.of("drain.timeout=60s"));
    private final AcmeAccess acme = new AcmeAccess();
    private final ContainerDrains drains = new ContainerDrains(runtime, List.of(acme));

    @AfterEach
    void stop() {
        runtime.shutdownExecutor();
    }

    @Test
    void theJvmHookStopsEverySeenServerAcceptingOnceThenDrains() {
        AcmeServer first = new AcmeServer();
        AcmeServer second = new AcmeServer();
        drains.serverStarting(first);
        drains.serverStarting(second);
        drains.serverStarting(first); // started again: still one server
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        TaskFinisher.finishWhen(task, () -> acme.stopped.size() == 2);

        drains.jvmStopping();

        assertEquals(List.of(second, first), acme.stopped, "each server seen, once, in the order last started");
        assertTrue(task.isDone(), "the drain waited for the task, which ended once the servers stopped accepting");
        assertTrue(runtime.isShuttingDown());
        assertTrue(runtime.jvm().isDrained());
    }

    @Test
    void theJvmHookLeavesAServerThatStopsItselfAtExitToItsOwnStopAndStillDrains() {
        AcmeServer standalone = new AcmeServer(true);
        AcmeServer embedded = new AcmeServer(false);
        drains.serverStarting(standalone);
        drains.serverStarting(embedded);
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, runtime.jvm(), null);
        TaskFinisher.finishWhen(task, () -> acme.stopped.contains(embedded));

        drains.jvmStopping();

        assertEquals(List.of(embedded), acme.stopped, "only the server nobody else stops");
        assertTrue(task.isDone(), "the drain waited for the task all the same");
        assertTrue(runtime.jvm().isDrained());
    }

    @Test
    void twoHooksOfOneStopMakeAServerStopAcceptingOnceAndARestartedServerAgain() throws Exception {
        AcmeServer server = new AcmeServer();
        drains.serverStarting(server);
        Thread springClose = new Thread(() -> drains.stopAccepting(server, "Spring context closing"));
        springClose.start();
        drains.stopAccepting(server, "the JVM stops");
        springClose.join();
        assertEquals(List.of(server), acme.stopped, "one of the two threads did it, once");

        drains.serverStarting(server); // the same server started again after its stop
        drains.stopAccepting(server, "the JVM stops");
        assertEquals(List.of(server, server), acme.stopped, "its next stop stops it accepting again");
    }

    @Test
    void aServerNoContainerKnowsIsDrainedWithItsConnectorsOpenAndSaidSo() {
        drains.serverStarting(new Object());
        try (CapturedLog log = new CapturedLog()) {
            drains.jvmStopping();
            List<String> lines = log.linesContaining("could not make the connectors of unknown server");
            assertEquals(1, lines.size(), log.lines().toString());
        }
        assertTrue(acme.stopped.isEmpty());
        assertTrue(runtime.jvm().isDrained());
    }

    @Test
    void anApplicationsStopDrainsItUnderThePathItsContainerGives() {
        ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
        AcmeContext shop = new AcmeContext(webapp, "/shop");
        Scope application = runtime.scopeOf(webapp);
        CompletableFuture<String> task = new CompletableFuture<>();
        runtime.register("receipt", task, application, null);
        TaskFinisher.finishWhen(task, () -> drains.isDrainingApplication(shop));

        drains.applicationStopping(shop);

        assertTrue(task.isDone());
        assertTrue(application.isDrained());
        assertEquals("/shop", application.name());
        assertFalse(drains.isDrainingApplication(shop));
        assertFalse(runtime.jvm().isDrained());
    }

    @Test
    void theRootApplicationIsNamedSlash() {
        ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
        Scope application = runtime.scopeOf(webapp);

        drains.applicationStopping(new AcmeContext(webapp, ""));

        assertTrue(application.isDrained());
        assertEquals("/", application.name());
    }

    @Test
    void aContextNoContainerKnowsIsLeftToTheJvmsDrain() {
        ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
        Scope application = runtime.scopeOf(webapp);
        try (CapturedLog log = new CapturedLog()) {
            drains.applicationStopping(new Object());
            List<String> lines = log.linesContaining("its tasks are drained with the JVM's");
            assertEquals(1, lines.size(), log.lines().toString());
        }
        assertFalse(application.isDrained());
    }
}
