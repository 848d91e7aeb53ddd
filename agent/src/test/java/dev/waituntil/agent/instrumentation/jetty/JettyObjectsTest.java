package dev.waituntil.agent.instrumentation.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the agent reads of Jetty's objects and does with them, on an embedded Jetty 12. */
class JettyObjectsTest {

    private final Server server = new Server();

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private ServerConnector connector() {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        connector.setPort(0);
        server.addConnector(connector);
        return connector;
    }

    @Test
    void aServerAndAContextAreKnownByWhatTheDrainReadsOfThem() {
        ContextHandler shop = new ContextHandler("/shop");

        assertTrue(JettyObjects.isServer(server));
        assertTrue(JettyObjects.isContext(shop));
        assertFalse(JettyObjects.isServer(shop));
        assertFalse(JettyObjects.isServer(new Object()));
        assertFalse(JettyObjects.isContext(new Object()));
    }

    @Test
    void anApplicationsPathAndLoader() throws Exception {
        ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
        ContextHandler shop = new ContextHandler("/shop");
        shop.setClassLoader(webapp);

        assertEquals("/shop", JettyObjects.contextPath(shop));
        assertSame(webapp, JettyObjects.applicationLoader(shop));
        assertEquals(
                null, JettyObjects.applicationLoader(new ContextHandler("/")), "a context without a loader of its own");
    }

    @Test
    void aServerSetToStopAtShutdownStopsItselfAtJvmExit() throws Exception {
        assertFalse(JettyObjects.stopsItselfAtJvmExit(server));
        server.setStopAtShutdown(true); // as standalone Jetty's jetty.xml sets it
        try {
            assertTrue(JettyObjects.stopsItselfAtJvmExit(server));
        } finally {
            server.setStopAtShutdown(false);
        }
    }

    @Test
    void stopAcceptingShutsEveryConnectorDownAndClosesItsListeningSocket() throws Exception {
        ServerConnector first = connector();
        ServerConnector second = connector();
        server.start();
        int port = first.getLocalPort();
        connect(port).close(); // accepted while running
        assertFalse(first.isShutdown());

        assertEquals(2, JettyObjects.stopAccepting(server));

        assertTrue(first.isShutdown() && second.isShutdown());
        // Closed, as far as Jetty is concerned; the JDK may finish closing the socket a moment later, once the
        // acceptor blocked in accept() has left it, so a connection attempt now could still be queued.
        assertFalse(first.isOpen() || second.isOpen(), "the listening sockets are closed");
        assertTrue(server.isRunning(), "the server's own stop follows; this only stopped the inflow");
    }

    @Test
    void aServerWithoutConnectorsHasNoneToStop() throws Exception {
        assertEquals(0, JettyObjects.stopAccepting(server));
    }

    private static Socket connect(int port) throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), port);
    }
}
