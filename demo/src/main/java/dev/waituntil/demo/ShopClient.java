package dev.waituntil.demo;

import static dev.waituntil.demo.DemoLauncher.DEMO;
import static dev.waituntil.demo.DemoLauncher.HTTP_TIMEOUT_MILLIS;
import static dev.waituntil.demo.DemoLauncher.ORDER_ID;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The demo's two requests to the server, each shown with how long it took. */
final class ShopClient {

    private final int port;
    private final long t0;
    private final PrintStream out;

    ShopClient(int port, long t0, PrintStream out) {
        this.port = port;
        this.t0 = t0;
        this.out = out;
    }

    /**
     * One GET first, shown with its time: a fresh JVM answers its first request slowly, with or without
     * the agent (classes load, and with the agent the container's request classes are instrumented as
     * they load). The order that follows shows what a request costs once the server is running.
     */
    void warmUp() {
        long start = System.nanoTime();
        HttpURLConnection http = null;
        try {
            http = open("/shop/order");
            int status = http.getResponseCode();
            body(http, status);
            out.println(DEMO + "first request (fresh JVM, classes still loading): GET answered " + status + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        } catch (IOException e) {
            out.println(DEMO + "first request failed: " + e);
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }

    /** {@code POST /shop/order?id=42}: when it was sent, its status, how long it took, or what went wrong. */
    void order(DemoResult.Builder result) {
        long before = System.nanoTime();
        result.requestAt(DemoLauncher.millis(t0, before));
        HttpURLConnection http = null;
        try {
            http = open("/shop/order?id=" + ORDER_ID);
            http.setRequestMethod("POST");
            http.setDoOutput(true);
            http.getOutputStream().close(); // empty body
            int status = http.getResponseCode();
            result.status(status);
            String text = body(http, status).trim();
            long after = System.nanoTime();
            long responseMillis = TimeUnit.NANOSECONDS.toMillis(after - before);
            result.response(responseMillis, DemoLauncher.millis(t0, after));
            out.println(DEMO + "response " + status + " in " + responseMillis + " ms"
                    + (text.isEmpty() ? "" : ": " + text));
            if (status != 202) {
                result.problem("expected 202, got " + status);
            }
        } catch (IOException e) {
            String problem = "POST /shop/order?id=" + ORDER_ID + " failed: " + e;
            result.problem(problem);
            out.println(DEMO + problem);
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }

    /**
     * The Spring Boot shop only: what an operator sees while the receipt is pending, the starter's {@code waituntil}
     * endpoint and its meters among the Prometheus ones.
     */
    void showWhatThePendingTaskLooksLike() {
        String endpoint = get("/actuator/waituntil");
        out.println(DEMO + "GET /actuator/waituntil: " + endpoint.trim());
        out.println(DEMO + "GET /actuator/prometheus, the waituntil_ lines:");
        for (String line : get("/actuator/prometheus").split("\n")) {
            if (line.startsWith("waituntil_")) {
                out.println(DEMO + "  " + line);
            }
        }
    }

    private String get(String path) {
        HttpURLConnection http = null;
        try {
            http = open(path);
            int status = http.getResponseCode();
            String text = body(http, status);
            return status == 200 ? text : "answered " + status + ": " + text;
        } catch (IOException e) {
            return "failed: " + e;
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }

    private HttpURLConnection open(String pathAndQuery) throws IOException {
        HttpURLConnection http = (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + pathAndQuery).toURL().openConnection();
        http.setConnectTimeout(HTTP_TIMEOUT_MILLIS);
        http.setReadTimeout(HTTP_TIMEOUT_MILLIS);
        return http;
    }

    private static String body(HttpURLConnection http, int status) throws IOException {
        InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream();
        return body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }
}
