package dev.waituntil.benchmarks.server.hello;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The servlet of the whole-server benchmarks: {@code GET /hello} answers 200 with {@value #BODY_TEXT} and
 * a {@code Content-Length}, and registers nothing. It does not use the wait-until API: what is measured is
 * what the agent's hooks cost a request that does not use them, the common case.
 */
public final class HelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String BODY_TEXT = "hello, world\n";
    private static final byte[] BODY = BODY_TEXT.getBytes(StandardCharsets.US_ASCII);

    /** The path both servers map this servlet to. */
    public static final String PATH = "/hello";

    /** The line a hello server prints once it accepts requests, followed by its port. */
    public static final String STARTED = "STARTED ";
    /** Printed right after {@link #STARTED}: {@code AGENT true} when the wait-until agent runs in this JVM. */
    public static final String AGENT = "AGENT ";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(200);
        resp.setContentType("text/plain");
        resp.setContentLength(BODY.length);
        resp.getOutputStream().write(BODY);
    }

    /** Tells the benchmark that the server is up: {@code SERVER <name>}, {@code STARTED <port>}, {@code AGENT <bool>}. */
    static void started(String serverName, int port) {
        System.out.println("SERVER " + serverName);
        System.out.println(STARTED + port);
        System.out.flush();
        System.out.println(AGENT + agentActive());
        System.out.flush();
    }

    /** Whether the agent put its bridge on the bootstrap class path; this program does not bundle the API. */
    private static boolean agentActive() {
        try {
            Class.forName("dev.waituntil.bootstrap.WaitUntilBridge", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
