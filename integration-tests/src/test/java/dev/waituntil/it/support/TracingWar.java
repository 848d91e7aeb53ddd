package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The web application of {@code TracingBesideOpenTelemetryIT}, built at test time as a real {@code .war} that
 * bundles the wait-until API jar. Each endpoint {@code /X} hands the same task to another thread and waits for it
 * (20 s at most): an HTTP {@code GET} of {@code /target?from=X} on the same server through
 * {@code HttpURLConnection}, which the OpenTelemetry agent instruments (a CLIENT span). It answers
 * {@code thread=<the task's thread>} and {@code target=<what /target answered>}.
 * <ul>
 * <li>{@code /run}: {@code WaitUntil.run};
 * <li>{@code /supply}: {@code WaitUntil.supply};
 * <li>{@code /pool}: {@code submit} to the application's own {@code ExecutorService}
 *     ({@code Executors.newFixedThreadPool}), with no API call;
 * <li>{@code /execute}: {@code execute} of a {@code Runnable} lambda to the same pool;
 * <li>{@code /async}: {@code CompletableFuture.supplyAsync} on the default pool;
 * <li>{@code /thread}: a {@code new Thread(...)} the request starts, which no agent follows;
 * <li>{@code /target}: answers {@code from=<its from parameter>}; {@code /ping}: {@code pong}.
 * </ul>
 * The tasks are lambdas, as most tasks handed over in servlet code are.
 */
public final class TracingWar {

    private TracingWar() {}

    static final String SERVLET = """
            package trace;

            import dev.waituntil.WaitUntil;
            import java.io.ByteArrayOutputStream;
            import java.io.IOException;
            import java.io.InputStream;
            import java.net.HttpURLConnection;
            import java.net.URL;
            import java.util.concurrent.Callable;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;
            import java.util.concurrent.FutureTask;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicReference;
            import javax.servlet.ServletException;
            import javax.servlet.http.HttpServlet;
            import javax.servlet.http.HttpServletRequest;
            import javax.servlet.http.HttpServletResponse;

            public class TraceServlet extends HttpServlet {

                private ExecutorService pool;

                @Override
                public void init() {
                    pool = Executors.newFixedThreadPool(2);
                }

                @Override
                public void destroy() {
                    pool.shutdownNow();
                }

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    String path = req.getServletPath();
                    final String target = "http://127.0.0.1:" + req.getLocalPort() + req.getContextPath()
                            + "/target?from=" + path.substring(1);
                    Callable<String> task = () -> fetch(target);
                    try {
                        String seen;
                        if ("/run".equals(path)) {
                            final AtomicReference<String> result = new AtomicReference<String>();
                            WaitUntil.run("trace run", () -> result.set(fetch(target))).get(20, TimeUnit.SECONDS);
                            seen = result.get();
                        } else if ("/supply".equals(path)) {
                            seen = WaitUntil.supply("trace supply", task).get(20, TimeUnit.SECONDS);
                        } else if ("/pool".equals(path)) {
                            seen = pool.submit(task).get(20, TimeUnit.SECONDS);
                        } else if ("/execute".equals(path)) {
                            final CompletableFuture<String> result = new CompletableFuture<String>();
                            pool.execute(() -> result.complete(fetch(target)));
                            seen = result.get(20, TimeUnit.SECONDS);
                        } else if ("/async".equals(path)) {
                            seen = CompletableFuture.supplyAsync(() -> fetch(target)).get(20, TimeUnit.SECONDS);
                        } else if ("/thread".equals(path)) {
                            FutureTask<String> work = new FutureTask<String>(task);
                            new Thread(work, "trace-own-thread").start();
                            seen = work.get(20, TimeUnit.SECONDS);
                        } else if ("/target".equals(path)) {
                            seen = "from=" + req.getParameter("from");
                        } else if ("/ping".equals(path)) {
                            seen = "pong";
                        } else {
                            resp.sendError(404, "no endpoint " + path);
                            return;
                        }
                        resp.getWriter().print(seen);
                    } catch (Exception e) {
                        throw new ServletException(e);
                    }
                }

                /** GET through HttpURLConnection: the OpenTelemetry agent makes a CLIENT span of it. */
                static String fetch(String url) {
                    try {
                        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                        c.setConnectTimeout(10000);
                        c.setReadTimeout(10000);
                        int status = c.getResponseCode();
                        ByteArrayOutputStream body = new ByteArrayOutputStream();
                        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
                        if (in != null) {
                            try {
                                byte[] b = new byte[1024];
                                for (int n; (n = in.read(b)) > 0; ) {
                                    body.write(b, 0, n);
                                }
                            } finally {
                                in.close();
                            }
                        }
                        return "thread=" + Thread.currentThread().getName() + "\\n"
                                + "status=" + status + "\\n"
                                + "target=" + body.toString("UTF-8") + "\\n";
                    } catch (IOException e) {
                        throw new IllegalStateException("GET " + url + " failed", e);
                    }
                }
            }
            """;

    /** The endpoints that hand the task over, in the order the test calls them. */
    public static final List<String> HAND_OVERS = List.of("run", "supply", "pool", "execute", "async", "thread");

    private static final List<String> ENDPOINTS =
            List.of("/run", "/supply", "/pool", "/execute", "/async", "/thread", "/target", "/ping");

    static String webXml(String servletPackage) {
        return WebXml.header(servletPackage)
                + "  <servlet>\n"
                + "    <servlet-name>trace</servlet-name>\n"
                + "    <servlet-class>trace.TraceServlet</servlet-class>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>trace</servlet-name>\n"
                + WebXml.urlPatterns(ENDPOINTS)
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /** Compiles the application against {@code distribution}'s servlet API and packs it into {@code <dir>/trace.war}. */
    public static Path build(TomcatDistribution distribution, Path dir) throws IOException {
        String pkg = distribution.servletPackage();
        Path classes = JavaSources.compile(
                dir.resolve("trace-classes"),
                List.of(distribution.servletApiJar(), ItEnvironment.apiJar()),
                TestWebApps.forPackage(SERVLET, pkg));
        return WebArchive.pack(
                WebArchive.explode(dir.resolve("trace-war"), webXml(pkg), classes, List.of(ItEnvironment.apiJar())),
                dir.resolve("trace.war"));
    }
}
