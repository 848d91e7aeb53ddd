package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * The web application that the Tomcat distribution tests deploy, built at test time as a real
 * {@code .war} file: {@code WEB-INF/web.xml}, {@code WEB-INF/classes} (compiled with
 * {@code --release 8} against the distribution's own {@code lib/servlet-api.jar}, so {@code javax}
 * for Tomcat 9 and {@code jakarta} for 10.1 and 11, from one source) and
 * {@code WEB-INF/lib/<the wait-until API jar>}.
 *
 * <p>It writes what happens to it, one line per event, to the file named by the system property
 * {@value #EVENTS_PROPERTY} (every application of the JVM appends to the same file; each line is one
 * {@code write} to a file opened for appending, so lines never interleave and their order in the file
 * is the order in which they were written). The tests read that file after the server has exited.
 * <ul>
 * <li>{@code /work} and {@code /slow} first write {@code REQUEST X <millis>}: the request for the task X reached
 *     the servlet, so the application owes that task, whatever the answer turns out to be.
 * <li>{@code /work?label=X&ms=N}: {@code WaitUntil.run(X, ...)}: the task sleeps N ms, then writes
 *     {@code DONE X <millis>} (or {@code INTERRUPTED X <millis>} if it was interrupted); answers 200
 *     {@code accepted X}, or 503 {@code rejected X: <reason>} (and writes {@code REJECTED X}) when
 *     {@code run} throws. With {@code via=pool}, the same task goes to the application's own fixed pool instead,
 *     with no call to wait-until (what the agent's capture tracks).
 * <li>{@code /slow?label=X&ms=N&taskMs=M}: writes {@code SLOW-IN X <millis>}, sleeps N ms inside the
 *     request (a request still in flight when the stop begins), then registers the task X of M ms as
 *     {@code /work} does, writes {@code SLOW-OUT X <millis>} and answers.
 * <li>{@code /stuck?label=X}: registers the task X that never ends (it sleeps until interrupted, then
 *     writes {@code INTERRUPTED X <millis>}).
 * <li>{@code /ping}: {@code pong <context path>}; {@code /pending}: {@code pending=<WaitUntil.pending()>}.
 * </ul>
 * The servlet ({@code load-on-startup}) writes {@code SERVLET-DESTROYED <context path> <millis>} in
 * {@code destroy()}; a {@code ServletContextListener} writes {@code INITIALIZED} and
 * {@code DESTROYED <context path> <millis>}. {@code <millis>} is {@code System.currentTimeMillis()}.
 *
 * <p>{@link #buildWithOwnServiceAndFilter} adds the two ways into a request that do not pass through
 * {@code HttpServlet.service}, where request scope must come from the advice on the class itself:
 * <ul>
 * <li>{@code /own-service?label=X&ms=N}: {@code wt.OwnServiceServlet} overrides
 *     {@code service(ServletRequest, ServletResponse)} and registers the task X as {@code /work} does (without a
 *     label, nothing);
 * <li>{@code wt.TaskFilter} on {@code /*}: a request with {@code filterLabel=F&ms=N} has the filter register
 *     the task F, as {@code /work} does, before it passes the request on.
 * </ul>
 */
public final class TomcatTestWar {

    public static final String EVENTS_PROPERTY = "wt.events";

    private TomcatTestWar() {}

    static final String EVENTS = """
            package wt;

            import java.io.FileOutputStream;
            import java.io.IOException;

            /** Appends one line per event to the file named by -Dwt.events; one write per line. */
            public final class Events {
                private static final String PATH = System.getProperty("wt.events");

                private Events() {
                }

                public static synchronized void append(String line) {
                    if (PATH == null) {
                        System.err.println("wt: no -Dwt.events; lost event: " + line);
                        return;
                    }
                    try (FileOutputStream out = new FileOutputStream(PATH, true)) {
                        out.write((line + "\\n").getBytes("UTF-8"));
                    } catch (IOException e) {
                        System.err.println("wt: cannot write event '" + line + "': " + e);
                    }
                }

                public static void event(String kind, String subject) {
                    append(kind + " " + subject + " " + System.currentTimeMillis());
                }
            }
            """;

    static final String SERVLET = """
            package wt;

            import dev.waituntil.WaitUntil;
            import java.io.IOException;
            import javax.servlet.ServletException;
            import javax.servlet.http.HttpServlet;
            import javax.servlet.http.HttpServletRequest;
            import javax.servlet.http.HttpServletResponse;

            public class WorkServlet extends HttpServlet {

                private volatile String contextPath = "?";

                @Override
                public void init() {
                    contextPath = getServletContext().getContextPath();
                }

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    String path = req.getServletPath();
                    String label = req.getParameter("label");
                    if ("/work".equals(path) && "pool".equals(req.getParameter("via"))) {
                        Events.event("REQUEST", label);
                        onOwnPool(label, Long.parseLong(param(req, "ms", "0")));
                        resp.getWriter().println("accepted " + label);
                    } else if ("/work".equals(path)) {
                        Events.event("REQUEST", label);
                        submit(label, Long.parseLong(param(req, "ms", "0")), resp);
                    } else if ("/slow".equals(path)) {
                        Events.event("REQUEST", label);
                        Events.event("SLOW-IN", label);
                        sleep(Long.parseLong(param(req, "ms", "0")));
                        submit(label, Long.parseLong(param(req, "taskMs", "0")), resp);
                        Events.event("SLOW-OUT", label);
                    } else if ("/stuck".equals(path)) {
                        final String stuck = label;
                        WaitUntil.run(stuck, new Runnable() {
                            @Override
                            public void run() {
                                Events.event("STUCK-RUNNING", stuck);
                                try {
                                    Thread.sleep(Long.MAX_VALUE);
                                } catch (InterruptedException e) {
                                    Events.event("INTERRUPTED", stuck);
                                }
                            }
                        });
                        resp.getWriter().println("accepted " + stuck);
                    } else if ("/ping".equals(path)) {
                        resp.getWriter().println("pong " + req.getContextPath());
                    } else if ("/pending".equals(path)) {
                        resp.getWriter().println("pending=" + WaitUntil.pending());
                    } else {
                        resp.sendError(404, "no endpoint " + path);
                    }
                }

                /** The application's own pool, with no call to wait-until: only the agent's capture tracks its work. */
                private static java.util.concurrent.ExecutorService ownPool;
                /** Its threads, joined in destroy(). */
                private static final java.util.List<Thread> ownThreads = new java.util.ArrayList<Thread>();

                /** The task of /work on the application's own pool (daemon threads, made on first use). */
                private static synchronized void onOwnPool(final String label, final long ms) {
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
                            try {
                                Thread.sleep(ms);
                            } catch (InterruptedException e) {
                                Events.event("INTERRUPTED", label);
                                return;
                            }
                            Events.event("DONE", label);
                        }
                    });
                }

                private static void submit(final String label, final long ms, HttpServletResponse resp) throws IOException {
                    try {
                        sleepingTask(label, ms);
                    } catch (IllegalStateException e) { // RejectedTaskException
                        Events.event("REJECTED", label);
                        resp.setStatus(503);
                        resp.getWriter().println("rejected " + label + ": " + e.getMessage());
                        return;
                    }
                    resp.getWriter().println("accepted " + label);
                }

                /** WaitUntil.run(label, sleep ms, then DONE label); also what the filter and the own-service servlet register. */
                static void sleepingTask(final String label, final long ms) {
                    WaitUntil.run(label, new Runnable() {
                        @Override
                        public void run() {
                            try {
                                Thread.sleep(ms);
                            } catch (InterruptedException e) {
                                Events.event("INTERRUPTED", label);
                                return;
                            }
                            Events.event("DONE", label);
                        }
                    });
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

                @Override
                public void destroy() {
                    Events.event("SERVLET-DESTROYED", contextPath);
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
            package wt;

            import javax.servlet.ServletContextEvent;
            import javax.servlet.ServletContextListener;

            public class Lifecycle implements ServletContextListener {
                @Override
                public void contextInitialized(ServletContextEvent sce) {
                    Events.event("INITIALIZED", sce.getServletContext().getContextPath());
                }

                @Override
                public void contextDestroyed(ServletContextEvent sce) {
                    Events.event("DESTROYED", sce.getServletContext().getContextPath());
                }
            }
            """;

    static final String OWN_SERVICE_SERVLET = """
            package wt;

            import java.io.IOException;
            import javax.servlet.GenericServlet;
            import javax.servlet.ServletException;
            import javax.servlet.ServletRequest;
            import javax.servlet.ServletResponse;

            /** Its own service(): no HttpServlet.service on the way, so only advice on this class opens the scope. */
            public class OwnServiceServlet extends GenericServlet {
                @Override
                public void service(ServletRequest req, ServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    String label = req.getParameter("label");
                    if (label == null) { // loads the servlet without touching the API (before an attach)
                        resp.getWriter().println("no task");
                        return;
                    }
                    String ms = req.getParameter("ms");
                    WorkServlet.sleepingTask(label, ms == null ? 0 : Long.parseLong(ms));
                    resp.getWriter().println("accepted " + label);
                }
            }
            """;

    static final String TASK_FILTER = """
            package wt;

            import java.io.IOException;
            import javax.servlet.Filter;
            import javax.servlet.FilterChain;
            import javax.servlet.FilterConfig;
            import javax.servlet.ServletException;
            import javax.servlet.ServletRequest;
            import javax.servlet.ServletResponse;

            public class TaskFilter implements Filter {
                @Override
                public void init(FilterConfig config) {
                }

                @Override
                public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain)
                        throws IOException, ServletException {
                    String label = req.getParameter("filterLabel");
                    if (label != null) {
                        String ms = req.getParameter("ms");
                        WorkServlet.sleepingTask(label, ms == null ? 0 : Long.parseLong(ms));
                    }
                    chain.doFilter(req, resp);
                }

                @Override
                public void destroy() {
                }
            }
            """;

    private static final List<String> ENDPOINTS = List.of("/work", "/slow", "/stuck", "/ping", "/pending");

    static String webXml(String servletPackage) {
        return webXml(servletPackage, "");
    }

    /** The descriptor with {@code more} (filters, servlets, their mappings) after the listener. */
    private static String webXml(String servletPackage, String more) {
        String mappings = WebXml.urlPatterns(ENDPOINTS);
        return WebXml.header(servletPackage)
                + more
                + "  <listener>\n"
                + "    <listener-class>wt.Lifecycle</listener-class>\n"
                + "  </listener>\n"
                + "  <servlet>\n"
                + "    <servlet-name>work</servlet-name>\n"
                + "    <servlet-class>wt.WorkServlet</servlet-class>\n"
                + "    <load-on-startup>1</load-on-startup>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>work</servlet-name>\n"
                + mappings
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /**
     * Compiles the application against {@code distribution}'s servlet API and packs it into
     * {@code <dir>/test.war}; returns that file. Copy it into a base's {@code webapps} under the name
     * that gives the context path ({@code app.war} is {@code /app}).
     */
    public static Path build(TomcatDistribution distribution, Path dir) throws IOException {
        return build(distribution, dir, "", List.of());
    }

    /**
     * {@link #build} plus {@code /own-service} and the filter (see above): the servlet and the filter whose request
     * scope comes from the advice on their own classes.
     */
    public static Path buildWithOwnServiceAndFilter(TomcatDistribution distribution, Path dir) throws IOException {
        String more = "  <filter>\n"
                + "    <filter-name>tasks</filter-name>\n"
                + "    <filter-class>wt.TaskFilter</filter-class>\n"
                + "  </filter>\n"
                + "  <filter-mapping>\n"
                + "    <filter-name>tasks</filter-name>\n"
                + "    <url-pattern>/*</url-pattern>\n"
                + "  </filter-mapping>\n"
                + "  <servlet>\n"
                + "    <servlet-name>own-service</servlet-name>\n"
                + "    <servlet-class>wt.OwnServiceServlet</servlet-class>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>own-service</servlet-name>\n"
                + "    <url-pattern>/own-service</url-pattern>\n"
                + "  </servlet-mapping>\n";
        return build(distribution, dir, more, List.of(OWN_SERVICE_SERVLET, TASK_FILTER));
    }

    private static Path build(TomcatDistribution distribution, Path dir, String moreWebXml, List<String> moreSources)
            throws IOException {
        String pkg = distribution.servletPackage();
        List<String> sources = new ArrayList<>(List.of(SERVLET, LISTENER));
        sources.addAll(moreSources);
        return build(distribution, dir, "test", webXml(pkg, moreWebXml), sources, List.of(), 8);
    }

    /**
     * Another test application that writes the same events file (see {@link Events}, {@link Outcome}): {@code sources}
     * plus {@code wt.Events}, compiled with {@code --release <release>} against {@code distribution}'s servlet API, the
     * API jar and {@code libs} ({@code javax.servlet.} in a source is turned into the distribution's namespace), laid
     * out with {@code webXml} and, in {@code WEB-INF/lib}, the API jar and {@code libs}, and packed into
     * {@code <dir>/<name>.war}; returns that file. The release is the oldest that {@code libs} allow: 8 for the
     * container alone, 17 against Spring Framework 6 (javac reads no class file newer than its release).
     */
    public static Path build(
            TomcatDistribution distribution,
            Path dir,
            String name,
            String webXml,
            List<String> sources,
            List<Path> libs,
            int release)
            throws IOException {
        String pkg = distribution.servletPackage();
        List<String> all = new ArrayList<>(List.of(EVENTS));
        all.addAll(sources);
        List<Path> classpath = new ArrayList<>(List.of(distribution.servletApiJar(), ItEnvironment.apiJar()));
        classpath.addAll(libs);
        Path classes = JavaSources.compile(
                dir.resolve(name + "-classes"),
                classpath,
                release,
                all.stream().map(source -> TestWebApps.forPackage(source, pkg)).toArray(String[]::new));
        List<Path> bundled = new ArrayList<>(List.of(ItEnvironment.apiJar()));
        bundled.addAll(libs);
        Path exploded = WebArchive.explode(dir.resolve(name + "-war"), webXml, classes, bundled);
        return WebArchive.pack(exploded, dir.resolve(name + ".war"));
    }

    /** One line of the events file: its position, its kind, what it is about, and the time it carries. */
    public record Event(int index, String kind, String subject, long millis) {
        @Override
        public String toString() {
            return index + ": " + kind + " " + subject + " " + millis;
        }
    }

    /** The events file as written by every application of one server run. */
    public static final class Events {
        private final Path file;
        private final List<Event> events;

        private Events(Path file, List<Event> events) {
            this.file = file;
            this.events = events;
        }

        /** The events file of {@code server}'s base, where the tests give it to the test WARs. */
        public static Events of(TomcatServer server) throws IOException {
            return read(server.base().dir().resolve("events.log"));
        }

        /** Waits (bounded) for the event {@code kind subject} in {@code server}'s events file. */
        public static Event await(TomcatServer server, String kind, String subject, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                Optional<Event> e = of(server).first(kind, subject);
                if (e.isPresent()) {
                    return e.get();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no '" + kind + " " + subject + "' event within " + timeout.toSeconds()
                            + " s\n" + of(server).describe() + "\n" + server.describe());
                }
                Thread.sleep(50);
            }
        }

        /** Reads {@code file}; a missing file is an empty log. */
        public static Events read(Path file) throws IOException {
            if (!Files.exists(file)) {
                return new Events(file, List.of());
            }
            List<Event> list = new ArrayList<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String[] parts = lines.get(i).split(" ");
                if (parts.length != 3) {
                    throw new AssertionError("malformed line " + (i + 1) + " in " + file + ": " + lines.get(i));
                }
                list.add(new Event(i, parts[0], parts[1], Long.parseLong(parts[2])));
            }
            return new Events(file, Collections.unmodifiableList(list));
        }

        public List<Event> all() {
            return events;
        }

        public List<Event> ofKind(String kind) {
            return events.stream().filter(e -> e.kind().equals(kind)).collect(Collectors.toList());
        }

        /** The first event of {@code kind} about {@code subject}. */
        public Optional<Event> first(String kind, String subject) {
            return events.stream()
                    .filter(e -> e.kind().equals(kind) && e.subject().equals(subject))
                    .findFirst();
        }

        /** The first event of {@code kind}, about anything. */
        public Optional<Event> first(String kind) {
            return events.stream().filter(e -> e.kind().equals(kind)).findFirst();
        }

        /** Where the first {@code kind} event is in the file. */
        public OptionalInt firstIndex(String kind) {
            return first(kind).map(e -> OptionalInt.of(e.index())).orElse(OptionalInt.empty());
        }

        /** Every line, numbered: for assertion messages (the first and last 60 when there are many). */
        public String describe() {
            StringBuilder b = new StringBuilder("---- ")
                    .append(file)
                    .append(" (")
                    .append(events.size())
                    .append(" lines)\n");
            List<Event> shown = events.size() <= 120 ? events : null;
            if (shown != null) {
                shown.forEach(e -> b.append(e).append('\n'));
            } else {
                events.subList(0, 60).forEach(e -> b.append(e).append('\n'));
                b.append("...\n");
                events.subList(events.size() - 60, events.size())
                        .forEach(e -> b.append(e).append('\n'));
            }
            return b.append("---- end of ").append(file.getFileName()).toString();
        }
    }

    /**
     * The tasks of a run, judged from the events file: {@code lost} has no {@code DONE} line;
     * {@code late} has one after the first {@code SERVLET-DESTROYED} or {@code DESTROYED} line (of any
     * application, or of the one given), by its place in the file or by its time.
     */
    public static final class Outcome {
        public final Map<String, Event> done = new LinkedHashMap<>();
        public final List<String> lost = new ArrayList<>();
        public final List<String> late = new ArrayList<>();
        public final int expected;
        public final int finished;
        public final Optional<Event> firstStop;

        private Outcome(Events events, Collection<String> labels, Optional<Event> firstStop) {
            this.firstStop = firstStop;
            this.expected = labels.size();
            for (String label : labels.stream().sorted().collect(Collectors.toList())) {
                Optional<Event> d = events.first("DONE", label);
                if (d.isEmpty()) {
                    lost.add(label);
                    continue;
                }
                done.put(label, d.get());
                if (firstStop.isPresent()
                        && (d.get().index() > firstStop.get().index()
                                || d.get().millis() > firstStop.get().millis())) {
                    late.add(label + " (DONE " + d.get().millis() + " > " + firstStop.get() + ")");
                }
            }
            this.finished = done.size();
        }

        public static Outcome of(Events events, Collection<String> labels) {
            Optional<Event> firstStop = events.all().stream()
                    .filter(e -> e.kind().equals("DESTROYED") || e.kind().equals("SERVLET-DESTROYED"))
                    .findFirst();
            return new Outcome(events, labels, firstStop);
        }

        /**
         * Late means after {@code contextPath}'s own {@code contextDestroyed} ({@code DESTROYED}); finishing after its
         * servlet's {@code destroy()} is allowed: what a drain at the application's teardown, without the agent, can do.
         */
        public static Outcome beforeContextDestroyed(Events events, Collection<String> labels, String contextPath) {
            return new Outcome(events, labels, events.first("DESTROYED", contextPath));
        }

        /**
         * Late means after the first event of {@code kind}, of anything: e.g. {@code BEAN-DESTROYED}, when what the
         * tasks need is a bean that the application destroys at its teardown, not the servlets.
         */
        public static Outcome beforeFirst(Events events, Collection<String> labels, String kind) {
            return new Outcome(events, labels, events.first(kind));
        }

        /** As {@link #of(Events, Collection)}, with the first destroy of {@code contextPath} only. */
        public static Outcome of(Events events, Collection<String> labels, String contextPath) {
            Optional<Event> firstStop = events.all().stream()
                    .filter(e -> (e.kind().equals("DESTROYED") || e.kind().equals("SERVLET-DESTROYED"))
                            && e.subject().equals(contextPath))
                    .findFirst();
            return new Outcome(events, labels, firstStop);
        }

        public String summary() {
            return String.format(
                    "tasks %d, finished %d, lost %d, finished after the application stopped %d",
                    expected, finished, lost.size(), late.size());
        }

        public String describe() {
            return summary() + "\nlost: " + lost + "\nlate: " + late + "\nfirst stop event: " + firstStop.orElse(null);
        }
    }
}
