package dev.waituntil.benchmarks.server.hello;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 (ee10) serving {@link HelloServlet} at {@code /hello} on 127.0.0.1, with Jetty's defaults
 * (its {@code QueuedThreadPool}, one {@code ServerConnector}, no request log).
 *
 * <pre>java [-javaagent:agent/target/wait-until-agent.jar] -cp benchmarks/target/benchmarks-hello.jar:benchmarks/target/servers/jetty12/* \
 *      dev.waituntil.benchmarks.server.hello.JettyHello [port]</pre>
 */
public final class JettyHello {

    private JettyHello() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder("hello", new HelloServlet()), HelloServlet.PATH);
        server.setHandler(context);
        server.start();
        HelloServlet.started("Eclipse Jetty " + Server.getVersion(), connector.getLocalPort());
        server.join();
    }
}
