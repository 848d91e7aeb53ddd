package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The web applications deployed on the embedded containers, built at test time as exploded WARs:
 * {@code WEB-INF/web.xml}, {@code WEB-INF/classes} (compiled with {@code --release 8} against the
 * container's servlet API and the wait-until API jar) and {@code WEB-INF/lib/<the API jar>}: each
 * application bundles its own copy of the API, as real applications do.
 *
 * <p>The code is written once against {@code javax.servlet}; the {@code jakarta.servlet} variant is the
 * same text with the package prefix replaced.
 *
 * <p>Endpoints of {@code app.TasksServlet} (every response is {@code text/plain}, {@code key=value} lines):
 * <ul>
 * <li>{@code /run?label=X&ms=N}: {@code WaitUntil.run(X, sleep N ms)}; answers {@code thread=} (the
 *     container thread that served it) and {@code pending=}.
 * <li>{@code /fail}: {@code WaitUntil.supply("failing job", ...)} whose callable throws
 *     {@code IllegalStateException("boom")}; answers {@code ok}.
 * <li>{@code /throw?tag=T}: registers {@code "before throw T"}, prints {@code THROW T ON THREAD <name>} on
 *     standard output, then throws (the container answers 500).
 * <li>{@code /async?tag=T}: {@code startAsync()}, then in a runnable given to {@code AsyncContext.start}
 *     registers {@code "from async start T"}, writes {@code thread=} and completes.
 * <li>{@code /plain-thread?tag=T}: registers {@code "from plain thread T"} from a thread the application
 *     starts itself (not through the container): it belongs to the application, not to the request.
 * <li>{@code /mix/<id>/<kind>}: registers {@code "mix <id> <kind>"} plainly, then throws, or sends an error,
 *     or through a forward, an include, {@code AsyncContext.start}, or from work handed to the application's own
 *     pool or to {@code CompletableFuture.runAsync} with no API call (the request-scope isolation test).
 * <li>{@code /block?n=K}: registers K tasks labelled {@code "block i of K in <context path>"} that stay
 *     pending until {@code /release}; {@code /release} lets them all finish (a static gate, one per
 *     application class loader).
 * <li>{@code /pending}: {@code pending=WaitUntil.pending()}; {@code /active}: {@code active=isAgentActive()}.
 * </ul>
 * {@code app.TaskFilter}, on {@code /*}, registers an already completed future labelled
 * {@code "filter <request URI>"} for every request.
 */
public final class TestWebApps {

    private TestWebApps() {}

    static final String SERVLET = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.io.IOException;
            import java.io.PrintWriter;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;
            import javax.servlet.AsyncContext;
            import javax.servlet.ServletException;
            import javax.servlet.http.HttpServlet;
            import javax.servlet.http.HttpServletRequest;
            import javax.servlet.http.HttpServletResponse;

            public class TasksServlet extends HttpServlet {

                /** Completed by /release; the tasks of /block depend on it. One per application class loader. */
                private static volatile CompletableFuture<Void> gate = new CompletableFuture<Void>();

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    final String thread = Thread.currentThread().getName();
                    final String tag = req.getParameter("tag") == null ? "" : " " + req.getParameter("tag");
                    String path = req.getServletPath();
                    if ("/run".equals(path)) {
                        final long ms = Long.parseLong(param(req, "ms", "0"));
                        WaitUntil.run(req.getParameter("label"), new Runnable() {
                            @Override
                            public void run() {
                                sleep(ms);
                            }
                        });
                        PrintWriter out = resp.getWriter();
                        out.println("thread=" + thread);
                        out.println("pending=" + WaitUntil.pending());
                    } else if ("/fail".equals(path)) {
                        WaitUntil.supply("failing job", () -> {
                            throw new IllegalStateException("boom");
                        });
                        resp.getWriter().println("ok");
                    } else if ("/throw".equals(path)) {
                        WaitUntil.register("before throw" + tag, CompletableFuture.completedFuture("registered before throwing"));
                        System.out.println("THROW" + tag + " ON THREAD " + thread);
                        System.out.flush();
                        throw new IllegalStateException("thrown on purpose by /throw" + tag);
                    } else if ("/async".equals(path)) {
                        final AsyncContext async = req.startAsync();
                        async.start(() -> {
                            try {
                                WaitUntil.register("from async start" + tag, CompletableFuture.completedFuture("async"));
                                async.getResponse().setContentType("text/plain;charset=UTF-8");
                                async.getResponse().getWriter().println("thread=" + Thread.currentThread().getName());
                            } catch (IOException | RuntimeException e) {
                                e.printStackTrace();
                            } finally {
                                async.complete();
                            }
                        });
                    } else if ("/plain-thread".equals(path)) {
                        Thread own = new Thread(() -> WaitUntil.register("from plain thread" + tag,
                                CompletableFuture.completedFuture("plain")), "app-own-thread");
                        own.start();
                        try {
                            own.join(10000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        resp.getWriter().println("ok");
                    } else if ("/block".equals(path)) {
                        int n = Integer.parseInt(param(req, "n", "1"));
                        CompletableFuture<Void> current = gate;
                        for (int i = 1; i <= n; i++) {
                            WaitUntil.register("block " + i + " of " + n + " in " + req.getContextPath(),
                                    current.thenApply(v -> v));
                        }
                        resp.getWriter().println("pending=" + WaitUntil.pending());
                    } else if ("/release".equals(path)) {
                        CompletableFuture<Void> released = gate;
                        gate = new CompletableFuture<Void>();
                        released.complete(null);
                        resp.getWriter().println("pending=" + WaitUntil.pending());
                    } else if ("/pending".equals(path)) {
                        resp.getWriter().println("pending=" + WaitUntil.pending());
                    } else if ("/mix".equals(path)) {
                        mix(req, resp);
                    } else if ("/active".equals(path)) {
                        resp.getWriter().println("active=" + WaitUntil.isAgentActive());
                    } else {
                        resp.sendError(404, "no endpoint " + path);
                    }
                }

                /**
                 * /mix/<id>/<kind>: registers "mix <id> <kind>" the way <kind> says: plain, then throw, then
                 * sendError(409), forward to /mix/<id>/forwarded, include /mix/<id>/included, or from a runnable
                 * given to AsyncContext.start. The id is in the path, so the agent's request names it too.
                 */
                private void mix(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    // Inside an include, the path methods still describe the including request.
                    String included = (String) req.getAttribute("javax.servlet.include.path_info");
                    String[] parts = (included != null ? included : req.getPathInfo()).substring(1).split("/");
                    final String id = parts[0];
                    final String kind = parts[1];
                    final String label = "mix " + id + " " + kind;
                    if ("forward".equals(kind)) {
                        req.getRequestDispatcher("/mix/" + id + "/forwarded").forward(req, resp);
                    } else if ("include".equals(kind)) {
                        req.getRequestDispatcher("/mix/" + id + "/included").include(req, resp);
                    } else if ("pool".equals(kind)) {
                        // Handed to the application's own pool with no API call: the registration inside it belongs
                        // to this request only because the agent captured the hand-over.
                        pool().execute(() -> WaitUntil.register(label, CompletableFuture.completedFuture(id)));
                        resp.getWriter().println(label);
                    } else if ("runasync".equals(kind)) {
                        CompletableFuture.runAsync(() -> WaitUntil.register(label, CompletableFuture.completedFuture(id)));
                        resp.getWriter().println(label);
                    } else if ("async".equals(kind)) {
                        final AsyncContext async = req.startAsync();
                        async.start(() -> {
                            try {
                                WaitUntil.register(label, CompletableFuture.completedFuture(id));
                                async.getResponse().getWriter().println(label);
                            } catch (IOException | RuntimeException e) {
                                e.printStackTrace();
                            } finally {
                                async.complete();
                            }
                        });
                    } else {
                        WaitUntil.register(label, CompletableFuture.completedFuture(id));
                        if ("throw".equals(kind)) {
                            throw new IllegalStateException("thrown on purpose by " + label);
                        } else if ("error".equals(kind)) {
                            resp.sendError(409, label);
                        } else {
                            resp.getWriter().println(label);
                        }
                    }
                }

                /** The application's own pool for /mix/<id>/pool, made on first use, stopped with the servlet. */
                private ExecutorService pool;

                private synchronized ExecutorService pool() {
                    if (pool == null) {
                        pool = Executors.newFixedThreadPool(4);
                    }
                    return pool;
                }

                @Override
                public synchronized void destroy() {
                    if (pool != null) {
                        pool.shutdown();
                    }
                }

                private static String param(HttpServletRequest req, String name, String fallback) {
                    String value = req.getParameter(name);
                    return value == null || value.isEmpty() ? fallback : value;
                }

                private static void sleep(long ms) {
                    try {
                        Thread.sleep(ms);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            """;

    static final String FILTER = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.io.IOException;
            import java.util.concurrent.CompletableFuture;
            import javax.servlet.Filter;
            import javax.servlet.FilterChain;
            import javax.servlet.FilterConfig;
            import javax.servlet.ServletException;
            import javax.servlet.ServletRequest;
            import javax.servlet.ServletResponse;
            import javax.servlet.http.HttpServletRequest;

            public class TaskFilter implements Filter {
                @Override
                public void init(FilterConfig config) {
                }

                @Override
                public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
                        throws IOException, ServletException {
                    String uri = ((HttpServletRequest) req).getRequestURI();
                    WaitUntil.register("filter " + uri, CompletableFuture.completedFuture(uri));
                    chain.doFilter(req, resp);
                }

                @Override
                public void destroy() {
                }
            }
            """;

    private static final List<String> ENDPOINTS = List.of(
            "/run",
            "/fail",
            "/throw",
            "/async",
            "/plain-thread",
            "/block",
            "/release",
            "/pending",
            "/active",
            "/mix/*");

    /**
     * The descriptor: metadata-complete, so no container needs to scan annotations. Servlet 3.1 for
     * {@code javax}, 5.0 for {@code jakarta} (the first with that namespace; every jakarta container reads it).
     */
    static String webXml(String servletPackage) {
        String mappings = WebXml.urlPatterns(ENDPOINTS);
        return WebXml.header(servletPackage)
                + "  <filter>\n"
                + "    <filter-name>tasks</filter-name>\n"
                + "    <filter-class>app.TaskFilter</filter-class>\n"
                + "    <async-supported>true</async-supported>\n"
                + "  </filter>\n"
                + "  <filter-mapping>\n"
                + "    <filter-name>tasks</filter-name>\n"
                + "    <url-pattern>/*</url-pattern>\n"
                + "  </filter-mapping>\n"
                + "  <servlet>\n"
                + "    <servlet-name>tasks</servlet-name>\n"
                + "    <servlet-class>app.TasksServlet</servlet-class>\n"
                + "    <async-supported>true</async-supported>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>tasks</servlet-name>\n"
                + mappings
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /** {@code source} for {@code servletPackage}: the {@code javax.servlet} text, its package prefix replaced. */
    static String forPackage(String source, String servletPackage) {
        return source.replace("javax.servlet.", servletPackage + ".");
    }

    /**
     * Builds one exploded WAR per name under {@code <dir>/webapps/<name>}, each with its own copy of
     * the API jar; returns {@code <dir>/webapps}.
     */
    public static Path build(Container container, Path dir, String... names) throws IOException {
        Path classes = JavaSources.compile(
                dir.resolve("webapp-classes"),
                List.of(container.servletApiJar(), ItEnvironment.apiJar()),
                forPackage(SERVLET, container.servletPackage()),
                forPackage(FILTER, container.servletPackage()));
        Path webapps = dir.resolve("webapps");
        for (String name : names) {
            WebArchive.explode(
                    webapps.resolve(name),
                    webXml(container.servletPackage()),
                    classes,
                    List.of(ItEnvironment.apiJar()));
        }
        return webapps;
    }
}
