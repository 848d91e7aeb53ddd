package dev.waituntil.agent.instrumentation.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Server;
import org.apache.catalina.startup.Catalina;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent reads of Tomcat's objects and does with them, on an embedded Tomcat 10.1. */
class TomcatObjectsTest {

    @TempDir
    Path baseDir;

    private Tomcat tomcat;

    private Tomcat tomcat() {
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);
        tomcat.getConnector()
                .setProperty("address", InetAddress.getLoopbackAddress().getHostAddress());
        return tomcat;
    }

    @AfterEach
    void stop() throws LifecycleException {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void serverEngineAndContextAreToldApartByTheirInterfaces() {
        Tomcat tomcat = tomcat();
        Context context = tomcat.addContext("/shop", baseDir.toString());

        assertTrue(TomcatObjects.isServer(tomcat.getServer()));
        assertTrue(TomcatObjects.isEngine(tomcat.getEngine()));
        assertTrue(TomcatObjects.isContext(context));
        assertFalse(TomcatObjects.isServer(tomcat.getEngine()));
        assertFalse(TomcatObjects.isEngine(tomcat.getHost()), "hosts stop through ContainerBase too");
        assertFalse(TomcatObjects.isEngine(context));
        assertFalse(TomcatObjects.isContext(tomcat.getHost()));
        assertFalse(TomcatObjects.isServer(new Object()));
    }

    @Test
    void anApplicationsPathAndItsLoaderOnceStarted() throws Exception {
        Tomcat tomcat = tomcat();
        Context shop = tomcat.addContext("/shop", baseDir.toString());
        Context root = tomcat.addContext("", baseDir.toString());

        assertEquals("/shop", TomcatObjects.contextPath(shop));
        assertEquals("", TomcatObjects.contextPath(root), "ROOT");
        assertNull(TomcatObjects.applicationLoader(shop), "no loader before the context starts");

        tomcat.start();
        ClassLoader loader = TomcatObjects.applicationLoader(shop);
        assertNotNull(loader);
        assertSame(shop.getLoader().getClassLoader(), loader);
        assertFalse(TomcatObjects.applicationLoader(root) == loader, "each application has its own");
    }

    @Test
    void onlyAServerOfStandaloneCatalinaWithItsShutdownHookStopsItselfAtJvmExit() throws Exception {
        Tomcat tomcat = tomcat();
        Server server = tomcat.getServer();
        assertFalse(TomcatObjects.stopsItselfAtJvmExit(server), "embedded: nobody but the agent stops it at exit");

        Catalina catalina = new Catalina(); // standalone Tomcat's launcher; its shutdown hook is on by default
        server.setCatalina(catalina);
        assertTrue(TomcatObjects.stopsItselfAtJvmExit(server));

        catalina.setUseShutdownHook(false);
        assertFalse(TomcatObjects.stopsItselfAtJvmExit(server));
    }

    @Test
    void stopAcceptingPausesEveryConnectorAndClosesItsListeningSocket() throws Exception {
        Tomcat tomcat = tomcat();
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();
        connect(port).close(); // accepted while running

        assertEquals(1, TomcatObjects.stopAccepting(tomcat.getServer()));

        assertThrows(ConnectException.class, () -> connect(port), "refused at once, not left in the backlog");
    }

    @Test
    void theEngineClosesTheListeningSocketsOfItsService() throws Exception {
        Tomcat tomcat = tomcat();
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();
        tomcat.getConnector().pause(); // as Tomcat's own stop does before the Engine stops

        TomcatObjects.closeListeningSockets(tomcat.getEngine());

        assertThrows(ConnectException.class, () -> connect(port));
        tomcat.stop();
        tomcat.start(); // the socket is bound anew
        connect(tomcat.getConnector().getLocalPort()).close();
    }

    private static Socket connect(int port) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), port);
    }
}
