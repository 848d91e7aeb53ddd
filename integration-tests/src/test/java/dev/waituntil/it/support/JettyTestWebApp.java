package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The web application the Jetty distribution tests deploy, built at test time as an exploded WAR:
 * {@code WEB-INF/web.xml} (metadata-complete), {@code WEB-INF/classes} compiled with {@code --release 8}
 * against the distribution's own servlet API jar and the wait-until API jar, and
 * {@code WEB-INF/lib/<the API jar>}. Written once against {@code javax.servlet}; the {@code jakarta.servlet}
 * variant is the same text with the package prefix replaced.
 *
 * <p>Everything the application does that a test checks is appended, one line per event, to the
 * <em>record file</em> named by the system property {@value #RECORD_PROPERTY} (one {@code write} of one line
 * on a file opened for appending, so lines of concurrent writers never interleave and their order in the
 * file is the order in which they happened), and echoed on standard output:
 * <ul>
 * <li>{@code INITIALIZED <contextPath> <millis>}: {@code contextInitialized};
 * <li>{@code /ping}: answers {@code pong <contextPath> agent=<WaitUntil.isAgentActive()>};
 * <li>{@code REQUEST X <millis>}: a request to {@code /work} or {@code /slow} for the task X reached the servlet,
 *     before it registers anything: the application owes that task, whatever the answer;
 * <li>{@code /work?label=X&ms=N}: {@code WaitUntil.run(X, ...)}: sleeps N ms, then records
 *     {@code DONE X <millis>}; interrupted (cancelled), it records {@code INTERRUPTED X <millis>} instead.
 *     Answers {@code accepted X} (or 503, below). With {@code via=pool}, the same task goes to the application's
 *     own fixed pool instead, with no call to wait-until (what the agent's capture tracks);
 * <li>{@code /slow?label=X&ms=N&task=M}: records {@code SLOW-IN X <millis>}, sleeps N ms in the request,
 *     then registers the task of {@code /work?label=X&ms=M}, and answers {@code accepted X};
 * <li>{@code /stuck?label=X}: {@code WaitUntil.run(X, ...)} of a task that records {@code STUCK X <millis>} and
 *     never ends unless interrupted, when it records {@code INTERRUPTED X <millis>};
 * <li>{@code /deaf?label=X}: a task that records {@code DEAF X} and never ends: it swallows interrupts, recording
 *     {@code IGNORED-INTERRUPT X} at the first;
 * <li>{@code /chain?label=X&links=N&ms=M}: the task {@code X-1} sleeps M ms, records {@code DONE X-1}, then
 *     registers {@code X-2} itself, and so on to {@code X-N}: tasks registered by tasks, during a drain too
 *     ({@code REJECTED X-k} if a registration is refused);
 * <li>{@code /burst?label=X&n=N&ms=M}: registers N futures ({@code X-0} ...) that one task completes in one loop
 *     after M ms, then records {@code BURST-RELEASED X};
 * <li>{@code SERVLET-DESTROYED <contextPath> <millis>}: the servlet's {@code destroy()} (it is loaded on
 *     start-up, so the container always destroys it);
 * <li>{@code DESTROYED <contextPath> <millis>}: {@code contextDestroyed}.
 * </ul>
 * {@code <millis>} is {@code System.currentTimeMillis()}. A registration of {@code /work} or {@code /slow} that
 * the runtime refuses ({@code RejectedTaskException}) records {@code REJECTED X} and answers 503
 * {@code rejected X: <reason>}.
 */
public final class JettyTestWebApp {

    /** The system property, given to the Jetty JVM, that names the record file. */
    public static final String RECORD_PROPERTY = "jettyit.record";

    private JettyTestWebApp() {}

    static final String RECORDER = """
            package app;

            import java.io.FileOutputStream;
            import java.io.IOException;
            import java.nio.charset.StandardCharsets;

            /** Appends one line to the record file in one write. */
            public final class Recorder {
                private Recorder() {
                }

                public static void record(String event) {
                    String line = event + " " + System.currentTimeMillis();
                    String file = System.getProperty("%s");
                    if (file != null) {
                        try (FileOutputStream out = new FileOutputStream(file, true)) {
                            out.write((line + "\\n").getBytes(StandardCharsets.UTF_8));
                        } catch (IOException e) {
                            System.out.println("RECORD FAILED " + line + ": " + e);
                        }
                    }
                    System.out.println("RECORD " + line);
                    System.out.flush();
                }
            }
            """.formatted(RECORD_PROPERTY);

    static final String SERVLET = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.io.IOException;
            import javax.servlet.ServletConfig;
            import javax.servlet.ServletException;
            import javax.servlet.http.HttpServlet;
            import javax.servlet.http.HttpServletRequest;
            import javax.servlet.http.HttpServletResponse;

            public class WorkServlet extends HttpServlet {

                private volatile String contextPath = "?";

                @Override
                public void init(ServletConfig config) throws ServletException {
                    super.init(config);
                    contextPath = config.getServletContext().getContextPath();
                }

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    String path = req.getServletPath();
                    final String label = req.getParameter("label");
                    if ("/ping".equals(path)) {
                        resp.getWriter().println("pong " + contextPath + " agent=" + WaitUntil.isAgentActive());
                    } else if ("/work".equals(path)) {
                        Recorder.record("REQUEST " + label);
                        long ms = Long.parseLong(req.getParameter("ms"));
                        answer(resp, label, "pool".equals(req.getParameter("via")) ? onOwnPool(label, ms) : work(label, ms));
                    } else if ("/slow".equals(path)) {
                        Recorder.record("REQUEST " + label);
                        Recorder.record("SLOW-IN " + label);
                        sleepInRequest(Long.parseLong(req.getParameter("ms")));
                        answer(resp, label, work(label, Long.parseLong(req.getParameter("task"))));
                    } else if ("/deaf".equals(path)) {
                        WaitUntil.run(label, new Runnable() {
                            @Override
                            public void run() {
                                Recorder.record("DEAF " + label);
                                boolean told = false;
                                while (true) { // ends only with the JVM: its worker is a daemon thread
                                    try {
                                        Thread.sleep(100);
                                    } catch (InterruptedException e) {
                                        if (!told) {
                                            Recorder.record("IGNORED-INTERRUPT " + label);
                                            told = true;
                                        }
                                    }
                                }
                            }
                        });
                        resp.getWriter().println("accepted " + label);
                    } else if ("/chain".equals(path)) {
                        link(label, 1, Integer.parseInt(req.getParameter("links")), Long.parseLong(req.getParameter("ms")));
                        resp.getWriter().println("accepted " + label);
                    } else if ("/burst".equals(path)) {
                        burst(label, Integer.parseInt(req.getParameter("n")), Long.parseLong(req.getParameter("ms")));
                        resp.getWriter().println("accepted " + label);
                    } else if ("/stuck".equals(path)) {
                        WaitUntil.run(label, new Runnable() {
                            @Override
                            public void run() {
                                Recorder.record("STUCK " + label);
                                while (true) {
                                    try {
                                        Thread.sleep(1000);
                                    } catch (InterruptedException e) {
                                        Recorder.record("INTERRUPTED " + label);
                                        return;
                                    }
                                }
                            }
                        });
                        resp.getWriter().println("accepted " + label);
                    } else {
                        resp.sendError(404, "no endpoint " + path);
                    }
                }

                /** The answer to a request that registered a task: 200, or 503 when it was refused. */
                private static void answer(HttpServletResponse resp, String label, String refusal) throws IOException {
                    if (refusal != null) {
                        resp.setStatus(503);
                        resp.getWriter().println("rejected " + label + ": " + refusal);
                    } else {
                        resp.getWriter().println("accepted " + label);
                    }
                }

                /** Link {@code k} of {@code links}: sleeps, records DONE, then registers the next one itself. */
                private static void link(final String label, final int k, final int links, final long ms) {
                    WaitUntil.run(label + "-" + k, new Runnable() {
                        @Override
                        public void run() {
                            if (!sleep(label + "-" + k, ms)) {
                                return;
                            }
                            Recorder.record("DONE " + label + "-" + k);
                            if (k < links) {
                                try {
                                    link(label, k + 1, links, ms);
                                } catch (IllegalStateException e) { // RejectedTaskException
                                    Recorder.record("REJECTED " + label + "-" + (k + 1));
                                }
                            }
                        }
                    });
                }

                /**
                 * Registers {@code n} futures, all completed by one task after {@code ms}, in one loop: thousands of
                 * tasks that end in the same millisecond. Records BURST-RELEASED once all are complete.
                 */
                private static void burst(final String label, final int n, final long ms) {
                    final java.util.List<java.util.concurrent.CompletableFuture<Object>> futures =
                            new java.util.ArrayList<java.util.concurrent.CompletableFuture<Object>>();
                    for (int i = 0; i < n; i++) {
                        futures.add(WaitUntil.register(label + "-" + i, new java.util.concurrent.CompletableFuture<Object>()));
                    }
                    WaitUntil.run(label + "-releaser", new Runnable() {
                        @Override
                        public void run() {
                            if (!sleep(label, ms)) {
                                return;
                            }
                            long start = System.nanoTime();
                            for (java.util.concurrent.CompletableFuture<Object> future : futures) {
                                future.complete(null);
                            }
                            System.out.println("BURST " + label + " " + n + " completed in " + (System.nanoTime() - start) / 1000 + " us");
                            Recorder.record("BURST-RELEASED " + label);
                        }
                    });
                }

                /** The application's own pool, with no call to wait-until: only the agent's capture tracks its work. */
                private static java.util.concurrent.ExecutorService ownPool;
                /** Its threads, joined in destroy(). */
                private static final java.util.List<Thread> ownThreads = new java.util.ArrayList<Thread>();

                /**
                 * Hands the task of /work to the application's own pool (daemon threads, as a JVM that ends with its
                 * main thread needs); returns null.
                 */
                private static synchronized String onOwnPool(final String label, final long ms) {
                    if (ownPool == null) {
                        ownPool = java.util.concurrent.Executors.newFixedThreadPool(64, r -> {
                            Thread t = new Thread(r, "app-own-pool");
                            t.setDaemon(true);
                            ownThreads.add(t);
                            return t;
                        });
                    }
                    ownPool.execute(new Runnable() {
                        @Override
                        public void run() {
                            if (sleep(label, ms)) {
                                Recorder.record("DONE " + label);
                            }
                        }
                    });
                    return null;
                }

                /** Registers the task; returns null, or why it was refused. */
                private static String work(final String label, final long ms) {
                    try {
                        return work0(label, ms);
                    } catch (IllegalStateException e) { // RejectedTaskException
                        Recorder.record("REJECTED " + label);
                        return e.getMessage();
                    }
                }

                private static String work0(final String label, final long ms) {
                    WaitUntil.run(label, new Runnable() {
                        @Override
                        public void run() {
                            if (!sleep(label, ms)) {
                                return;
                            }
                            Recorder.record("DONE " + label);
                        }
                    });
                    return null;
                }

                /** Sleeps in a task; if interrupted (cancelled), records INTERRUPTED and returns false. */
                private static boolean sleep(String label, long ms) {
                    try {
                        Thread.sleep(ms);
                        return true;
                    } catch (InterruptedException e) {
                        Recorder.record("INTERRUPTED " + label);
                        return false;
                    }
                }

                private static void sleepInRequest(long ms) {
                    try {
                        Thread.sleep(ms);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void destroy() {
                    Recorder.record("SERVLET-DESTROYED " + contextPath);
                    // Stopped before the container looks for threads the application left running (Tomcat warns of
                    // them): with the agent the pool is idle by now; without it, its work is interrupted, lost. Its
                    // threads are joined: a pool counts as terminated while its last workers are still exiting.
                    synchronized (WorkServlet.class) {
                        if (ownPool != null) {
                            ownPool.shutdownNow();
                            try {
                                for (Thread t : ownThreads) {
                                    t.join(5000);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                }
            }
            """;

    static final String LISTENER = """
            package app;

            import javax.servlet.ServletContextEvent;
            import javax.servlet.ServletContextListener;

            public class Lifecycle implements ServletContextListener {
                @Override
                public void contextInitialized(ServletContextEvent event) {
                    Recorder.record("INITIALIZED " + event.getServletContext().getContextPath());
                }

                @Override
                public void contextDestroyed(ServletContextEvent event) {
                    Recorder.record("DESTROYED " + event.getServletContext().getContextPath());
                }
            }
            """;

    static final List<String> ENDPOINTS = List.of("/ping", "/work", "/slow", "/stuck", "/deaf", "/chain", "/burst");

    static String webXml(String servletPackage) {
        String mappings = WebXml.urlPatterns(ENDPOINTS);
        return WebXml.header(servletPackage)
                + "  <listener>\n"
                + "    <listener-class>app.Lifecycle</listener-class>\n"
                + "  </listener>\n"
                + "  <servlet>\n"
                + "    <servlet-name>work</servlet-name>\n"
                + "    <servlet-class>app.WorkServlet</servlet-class>\n"
                + "    <load-on-startup>1</load-on-startup>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>work</servlet-name>\n"
                + mappings
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /**
     * Compiles the application for {@code distribution} and builds one exploded WAR per name under
     * {@code warsDir/<name>}, each with its own copy of the API jar.
     */
    public static void build(JettyDistribution distribution, Path classesDir, Path warsDir, String... names)
            throws IOException {
        String pkg = distribution.servletPackage();
        Path classes = JavaSources.compile(
                classesDir,
                List.of(distribution.servletApiJar(), ItEnvironment.apiJar()),
                RECORDER,
                TestWebApps.forPackage(SERVLET, pkg),
                TestWebApps.forPackage(LISTENER, pkg));
        for (String name : names) {
            WebArchive.explode(warsDir.resolve(name), webXml(pkg), classes, List.of(ItEnvironment.apiJar()));
        }
    }

    /** The record file as read after (or while) the server ran: its lines in the order they were written. */
    public static final class Record {
        private final List<String> lines;

        private Record(List<String> lines) {
            this.lines = lines;
        }

        public static Record read(Path file) throws IOException {
            if (!Files.exists(file)) {
                return new Record(List.of());
            }
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
            return new Record(List.copyOf(lines));
        }

        public List<String> lines() {
            return lines;
        }

        /** The position of the first line {@code <event> <subject> <millis>}, or -1. */
        public int indexOf(String event, String subject) {
            String prefix = event + " " + subject + " ";
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(prefix)) {
                    return i;
                }
            }
            return -1;
        }

        /** The time stamp of the first line {@code <event> <subject> <millis>}, or -1. */
        public long millisOf(String event, String subject) {
            int i = indexOf(event, subject);
            if (i < 0) {
                return -1;
            }
            String line = lines.get(i);
            return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }

        /**
         * Where the teardown of the application at {@code contextPath} begins: the first of its servlet's
         * {@code SERVLET-DESTROYED} and its {@code DESTROYED} lines, or -1 if it was never torn down.
         */
        public int teardownIndex(String contextPath) {
            int servlet = indexOf("SERVLET-DESTROYED", contextPath);
            int context = indexOf("DESTROYED", contextPath);
            return servlet < 0 ? context : context < 0 ? servlet : Math.min(servlet, context);
        }

        /** The subjects of every {@code <event> <subject> <millis>} line whose subject starts with {@code prefix}, in order. */
        public List<String> subjects(String event, String prefix) {
            String start = event + " " + prefix;
            List<String> subjects = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith(start)) {
                    subjects.add(line.substring(event.length() + 1, line.lastIndexOf(' ')));
                }
            }
            return subjects;
        }

        public boolean has(String event, String subject) {
            return indexOf(event, subject) >= 0;
        }

        public long count(String event) {
            return lines.stream().filter(l -> l.startsWith(event + " ")).count();
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }
}
