package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A legacy web application for the zero-code capture tests: no wait-until API jar, no call to it; it hands its
 * background work to the JDK's executors as code written before the agent does, and shuts its pool down in
 * {@code contextDestroyed}. Built at test time as a {@code .war} ({@code WEB-INF/web.xml} and {@code WEB-INF/classes}
 * only), compiled with {@code --release 8} against the container's servlet API ({@code javax.servlet} in the source,
 * turned into the container's namespace).
 *
 * <p>It writes what happens to it to the events file named by the system property {@value #EVENTS_PROPERTY}, one
 * line {@code KIND subject millis} per event, in the format {@link TomcatTestWar.Events} reads:
 * <ul>
 * <li>{@code /work?label=X&ms=N} writes {@code REQUEST X}, logs a line through {@code ServletContext.log} and one
 *     through {@code java.util.logging} (Tomcat's file handlers write them on a pool of their own), and hands over six
 *     pieces of work, each of which sleeps
 *     and then writes {@code DONE <its label>} ({@code INTERRUPTED <its label>} if interrupted):
 *     {@code X-submit} ({@code pool.submit}, N ms), {@code X-execute} ({@code pool.execute}, N ms),
 *     {@code X-runAsync} ({@code CompletableFuture.runAsync} on the default executor, N ms), {@code X-supplyAsync}
 *     ({@code CompletableFuture.supplyAsync} on the pool, N ms), {@code X-handoff} ({@code pool.execute}, N ms), which
 *     at its end hands {@code X-next} (1 s) on to the pool, writing {@code HANDED X-next} first. Answers
 *     {@code accepted X}. The pool is the application's own {@code Executors.newFixedThreadPool(16)}.
 * <li>{@code /lazy} does what a library does the first time it is used: starts a daemon thread of its own that runs
 *     for ever ({@code LAZY-STARTED <context path>}), which every 200 ms hands a small flush to an executor the
 *     library made ({@code FLUSHED <context path>}, the first time only). Answers {@code started} or
 *     {@code running}.
 * <li>{@code /endless?label=X} hands the same endless loop to the application's pool instead
 *     ({@code ENDLESS-RUNNING X}): work that capture does track, which holds a drain until its deadline.
 * <li>{@code /ping}: {@code pong <context path>}.
 * </ul>
 * Its {@code ServletContextListener} writes {@code INITIALIZED <context path>}, and in {@code contextDestroyed} writes
 * {@code DESTROYED <context path>}, then calls {@code shutdownNow()} on its pool (which interrupts the running work
 * and drops what is queued) and writes {@code POOL-SHUT-DOWN <context path>}.
 */
public final class CaptureTestWar {

    public static final String EVENTS_PROPERTY = "wt.events";

    /** The pieces of work that {@code /work?label=X} hands over, in the labels of their events. */
    public static final List<String> WORK = List.of("submit", "execute", "runAsync", "supplyAsync", "handoff", "next");

    /** The pieces handed over inside the request itself ({@code next} is handed on later, by {@code handoff}). */
    public static final int HANDED_IN_REQUEST = 5;

    private CaptureTestWar() {}

    static final String EVENTS = """
            package legacy;

            import java.io.FileOutputStream;
            import java.io.IOException;

            public final class Events {
                private static final String PATH = System.getProperty("wt.events");

                private Events() {
                }

                public static synchronized void event(String kind, String subject) {
                    String line = kind + " " + subject + " " + System.currentTimeMillis();
                    if (PATH == null) {
                        System.err.println("legacy: no -Dwt.events; lost event: " + line);
                        return;
                    }
                    try (FileOutputStream out = new FileOutputStream(PATH, true)) {
                        out.write((line + "\\n").getBytes("UTF-8"));
                    } catch (IOException e) {
                        System.err.println("legacy: cannot write event '" + line + "': " + e);
                    }
                }
            }
            """;

    static final String POOLS = """
            package legacy;

            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            /** The application's own pool, made when it starts and shut down when it stops, as legacy code does. */
            public final class Pools {
                static volatile ExecutorService pool;

                private Pools() {
                }

                static void start() {
                    pool = Executors.newFixedThreadPool(16);
                }
            }
            """;

    static final String LISTENER = """
            package legacy;

            import javax.servlet.ServletContextEvent;
            import javax.servlet.ServletContextListener;

            public class Lifecycle implements ServletContextListener {
                @Override
                public void contextInitialized(ServletContextEvent sce) {
                    Pools.start();
                    Events.event("INITIALIZED", sce.getServletContext().getContextPath());
                }

                @Override
                public void contextDestroyed(ServletContextEvent sce) {
                    String path = sce.getServletContext().getContextPath();
                    Events.event("DESTROYED", path);
                    Pools.pool.shutdownNow();
                    Events.event("POOL-SHUT-DOWN", path);
                }
            }
            """;

    static final String SERVLET = """
            package legacy;

            import java.io.IOException;
            import java.util.concurrent.Callable;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;
            import java.util.function.Supplier;
            import java.util.logging.Logger;
            import javax.servlet.http.HttpServlet;
            import javax.servlet.http.HttpServletRequest;
            import javax.servlet.http.HttpServletResponse;

            public class LegacyServlet extends HttpServlet {

                private static final Object LIBRARY_LOCK = new Object();
                private static Thread libraryThread;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    String path = req.getServletPath();
                    final String label = req.getParameter("label");
                    if ("/work".equals(path)) {
                        Events.event("REQUEST", label);
                        // As legacy code logs: through the container, and through java.util.logging.
                        getServletContext().log("legacy: work " + label);
                        Logger.getLogger("legacy").info("legacy: work " + label);
                        final long ms = Long.parseLong(req.getParameter("ms"));
                        final ExecutorService pool = Pools.pool;
                        pool.submit(new Callable<String>() {
                            @Override
                            public String call() {
                                return work(label + "-submit", ms);
                            }
                        });
                        pool.execute(new Runnable() {
                            @Override
                            public void run() {
                                work(label + "-execute", ms);
                            }
                        });
                        CompletableFuture.runAsync(new Runnable() {
                            @Override
                            public void run() {
                                work(label + "-runAsync", ms);
                            }
                        });
                        CompletableFuture.supplyAsync(new Supplier<String>() {
                            @Override
                            public String get() {
                                return work(label + "-supplyAsync", ms);
                            }
                        }, pool);
                        pool.execute(new Runnable() {
                            @Override
                            public void run() {
                                if (sleep(label + "-handoff", ms)) {
                                    Events.event("HANDED", label + "-next");
                                    pool.submit(new Runnable() {
                                        @Override
                                        public void run() {
                                            work(label + "-next", 1000);
                                        }
                                    });
                                    Events.event("DONE", label + "-handoff");
                                }
                            }
                        });
                        resp.getWriter().println("accepted " + label);
                    } else if ("/lazy".equals(path)) {
                        resp.getWriter().println(startLibraryThread(req.getContextPath()) ? "started" : "running");
                    } else if ("/endless".equals(path)) {
                        Pools.pool.execute(new Runnable() {
                            @Override
                            public void run() {
                                Events.event("ENDLESS-RUNNING", label);
                                while (sleep(label, 200)) {
                                    // polls for ever, as a library's background loop does
                                }
                            }
                        });
                        resp.getWriter().println("accepted " + label);
                    } else if ("/ping".equals(path)) {
                        resp.getWriter().println("pong " + req.getContextPath());
                    } else {
                        resp.sendError(404, "no endpoint " + path);
                    }
                }

                /** A library's background thread, started the first time it is used, inside a request. */
                private static boolean startLibraryThread(final String contextPath) {
                    synchronized (LIBRARY_LOCK) {
                        if (libraryThread != null) {
                            return false;
                        }
                        libraryThread = new Thread(new Runnable() {
                            @Override
                            public void run() {
                                ExecutorService flusher = Executors.newSingleThreadExecutor();
                                boolean first = true;
                                while (true) {
                                    final boolean record = first;
                                    first = false;
                                    flusher.execute(new Runnable() {
                                        @Override
                                        public void run() {
                                            if (record) {
                                                Events.event("FLUSHED", contextPath);
                                            }
                                        }
                                    });
                                    try {
                                        Thread.sleep(200);
                                    } catch (InterruptedException e) {
                                        flusher.shutdownNow();
                                        return;
                                    }
                                }
                            }
                        }, "library-background");
                        libraryThread.setDaemon(true);
                        libraryThread.start();
                        Events.event("LAZY-STARTED", contextPath);
                        return true;
                    }
                }

                /** Sleeps {@code ms}, then writes DONE label; returns the label. */
                static String work(String label, long ms) {
                    if (sleep(label, ms)) {
                        Events.event("DONE", label);
                    }
                    return label;
                }

                /** Sleeps {@code ms}; false (and INTERRUPTED label written) if interrupted. */
                static boolean sleep(String label, long ms) {
                    try {
                        Thread.sleep(ms);
                        return true;
                    } catch (InterruptedException e) {
                        Events.event("INTERRUPTED", label);
                        return false;
                    }
                }
            }
            """;

    private static final List<String> ENDPOINTS = List.of("/work", "/lazy", "/endless", "/ping");

    static String webXml(String servletPackage) {
        return WebXml.header(servletPackage)
                + "  <listener>\n"
                + "    <listener-class>legacy.Lifecycle</listener-class>\n"
                + "  </listener>\n"
                + "  <servlet>\n"
                + "    <servlet-name>legacy</servlet-name>\n"
                + "    <servlet-class>legacy.LegacyServlet</servlet-class>\n"
                + "    <load-on-startup>1</load-on-startup>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>legacy</servlet-name>\n"
                + WebXml.urlPatterns(ENDPOINTS)
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /**
     * Compiles the application against {@code servletApiJar} alone (no API jar on the class path, none in the WAR)
     * and packs it into {@code <dir>/legacy.war}; returns that file.
     */
    public static Path build(Path servletApiJar, String servletPackage, Path dir) throws IOException {
        Path classes = JavaSources.compile(
                dir.resolve("legacy-classes"),
                List.of(servletApiJar),
                8,
                TestWebApps.forPackage(EVENTS, servletPackage),
                TestWebApps.forPackage(POOLS, servletPackage),
                TestWebApps.forPackage(LISTENER, servletPackage),
                TestWebApps.forPackage(SERVLET, servletPackage));
        Path exploded = WebArchive.explode(dir.resolve("legacy-war"), webXml(servletPackage), classes, List.of());
        return WebArchive.pack(exploded, dir.resolve("legacy.war"));
    }
}
