package dev.waituntil.demo;

import dev.waituntil.WaitUntil;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A shop on embedded Jetty 12 (ee10): {@code POST /shop/order?id=N} answers 202 at once and sends the
 * receipt in the background, about 3 seconds later, through {@code WaitUntil.run("send receipt N", ...)}.
 *
 * <pre>
 * java [-javaagent:agent/target/wait-until-agent.jar=debug=true] -cp demo/target/wait-until-demo.jar \
 *      dev.waituntil.demo.DemoServer [port] [--plain-pool]
 * </pre>
 *
 * <p>{@code port} 0 (the default) picks a free port; the line {@value #STARTED}{@code <port>...} says
 * which. {@code --plain-pool} hands the same work to a plain thread pool instead, with no call to wait-until, as
 * legacy code does: without the agent nothing waits for it when the JVM stops (the demo's control); with the agent,
 * its zero-code capture tracks the hand-over and the stop waits for it.
 */
public final class DemoServer {

    /** Printed once the server accepts requests, followed by the port; the launcher waits for it. */
    public static final String STARTED = "demo server started on port ";
    /** Printed by the background work when it has finished, followed by the order id. */
    public static final String RECEIPT = "receipt ";

    static final long WORK_MILLIS = 3000;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private DemoServer() {}

    public static void main(String[] args) throws Exception {
        int port = 0;
        boolean plainPool = false;
        for (String arg : args) {
            if (arg.equals("--plain-pool")) {
                plainPool = true;
            } else if (arg.matches("\\d{1,5}")) {
                port = Integer.parseInt(arg);
            } else {
                System.err.println("usage: DemoServer [port] [--plain-pool]   (port 0: any free port)");
                System.exit(2);
            }
        }

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler shop = new ServletContextHandler();
        shop.setContextPath("/shop");
        shop.addServlet(new ServletHolder("order", new OrderServlet(plainPool)), "/order");
        server.setHandler(shop);
        // Jetty's own shutdown hook stops the server on SIGTERM. With the agent, the agent's hook waits for
        // the pending tasks (waituntil.drain.timeout) before the JVM may exit.
        server.setStopAtShutdown(true);

        server.start();
        say(STARTED + connector.getLocalPort() + ": POST http://127.0.0.1:" + connector.getLocalPort()
                + "/shop/order?id=N (agent attached: " + WaitUntil.isAgentActive()
                + (plainPool ? "; --plain-pool: the receipt goes to a plain thread pool, with no WaitUntil call" : "")
                + ")");
        server.join();
    }

    /** One line on standard output, with the time of day, in the same form as Jetty's and the agent's. */
    static void say(String message) {
        System.out.println(LocalTime.now().format(TIME) + " " + message);
    }

    /** {@code POST /shop/order?id=N}: 202 now, the receipt about {@value #WORK_MILLIS} ms later. */
    static final class OrderServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        private final boolean plainPool;
        /** Only for --plain-pool: fire and forget, the usual way that work gets lost, unless the agent captures it. */
        private final transient ExecutorService pool;

        OrderServlet(boolean plainPool) {
            this.plainPool = plainPool;
            this.pool = plainPool
                    ? Executors.newCachedThreadPool(r -> {
                        Thread t = new Thread(r, "plain-pool");
                        t.setDaemon(true);
                        return t;
                    })
                    : null;
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String id = req.getParameter("id");
            if (id == null || !id.matches("\\d{1,18}")) {
                resp.sendError(400, "expected POST /shop/order?id=N");
                return;
            }
            Runnable sendReceipt = () -> sendReceipt(id);
            if (plainPool) {
                pool.execute(sendReceipt);
            } else {
                WaitUntil.run("send receipt " + id, sendReceipt);
            }
            byte[] body = ("order " + id + " accepted; the receipt follows\n").getBytes(StandardCharsets.UTF_8);
            resp.setStatus(HttpServletResponse.SC_ACCEPTED);
            resp.setContentType("text/plain;charset=utf-8");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
            resp.flushBuffer();
            say("order " + id + " answered 202; sending the receipt takes " + WORK_MILLIS + " ms"
                    + (plainPool ? " (on a plain pool)" : ""));
        }

        /** The slow part: a mail server, say. */
        private static void sendReceipt(String id) {
            try {
                Thread.sleep(WORK_MILLIS);
            } catch (InterruptedException e) {
                say(RECEIPT + id + " NOT sent: interrupted");
                Thread.currentThread().interrupt();
                return;
            }
            say(RECEIPT + id + " sent");
        }
    }
}
