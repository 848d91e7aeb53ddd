package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web application of {@code ContextPropagationIT}, built at test time as a real {@code .war} that
 * bundles its own logging, as applications do: the wait-until API jar, {@code slf4j-api} with
 * {@code logback-classic}, and {@code log4j-api} with {@code log4j-core} (without a provider the Log4j API
 * keeps no ThreadContext at all). The build copies those jars into the directory named by
 * {@code -Dit.webappLibs.logging}.
 *
 * <p>Endpoints of {@code ctx.ContextServlet}; every answer is {@code key=value} lines ({@link #parse}):
 * <ul>
 * <li>{@code /carry?order=X}: {@code MDC.put("order", X)}, {@code ThreadContext.put("order", X)} and
 *     {@code ThreadContext.push("request-X")}, then {@code WaitUntil.run} a task that records what its thread
 *     has ({@code task.thread}, {@code task.mdc}, {@code task.threadContext}, {@code task.stack}, and
 *     {@code task.contextLoader}: {@code webapp} when it is this application's loader); the request waits for
 *     it, then answers that and the same of its own thread afterwards ({@code caller.*}).
 * <li>{@code /after}: the same with nothing put first and {@code WaitUntil.supply}: what a later task finds
 *     on its worker.
 * <li>{@code /ping}: {@code pong}.
 * </ul>
 * Every request clears its own thread's MDC and ThreadContext at its end, as a well-behaved application
 * does, so that whatever a leak check finds afterwards was left by someone else.
 */
public final class ContextPropagationWar {

    private ContextPropagationWar() {}

    static final String SERVLET = """
            package ctx;

            import dev.waituntil.WaitUntil;
            import java.io.IOException;
            import java.io.PrintWriter;
            import java.util.Collections;
            import java.util.Map;
            import java.util.TreeMap;
            import java.util.concurrent.Callable;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicReference;
            import javax.servlet.ServletException;
            import javax.servlet.http.HttpServlet;
            import javax.servlet.http.HttpServletRequest;
            import javax.servlet.http.HttpServletResponse;
            import org.apache.logging.log4j.ThreadContext;
            import org.slf4j.MDC;

            public class ContextServlet extends HttpServlet {

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    PrintWriter out = resp.getWriter();
                    String path = req.getServletPath();
                    try {
                        if ("/carry".equals(path)) {
                            String order = req.getParameter("order");
                            MDC.put("order", order);
                            ThreadContext.put("order", order);
                            ThreadContext.push("request-" + order);
                            final AtomicReference<String> seen = new AtomicReference<String>();
                            WaitUntil.run("carry " + order, new Runnable() {
                                @Override
                                public void run() {
                                    seen.set(observe());
                                }
                            }).get(20, TimeUnit.SECONDS);
                            out.print(prefixed("task.", seen.get()));
                            out.print(prefixed("caller.", observe()));
                        } else if ("/after".equals(path)) {
                            String seen = WaitUntil.supply("after", new Callable<String>() {
                                @Override
                                public String call() {
                                    return observe();
                                }
                            }).get(20, TimeUnit.SECONDS);
                            out.print(prefixed("task.", seen));
                            out.print(prefixed("caller.", observe()));
                        } else if ("/ping".equals(path)) {
                            out.println("pong");
                        } else {
                            resp.sendError(404, "no endpoint " + path);
                        }
                    } catch (Exception e) {
                        throw new ServletException(e);
                    } finally {
                        MDC.clear();
                        ThreadContext.clearAll();
                    }
                }

                static String observe() {
                    Thread thread = Thread.currentThread();
                    ClassLoader loader = thread.getContextClassLoader();
                    Map<String, String> mdc = MDC.getCopyOfContextMap();
                    return "thread=" + thread.getName() + "\\n"
                            + "mdc=" + new TreeMap<String, String>(mdc == null ? Collections.<String, String>emptyMap() : mdc) + "\\n"
                            + "threadContext=" + new TreeMap<String, String>(ThreadContext.getContext()) + "\\n"
                            + "stack=" + ThreadContext.cloneStack().asList() + "\\n"
                            + "contextLoader=" + (loader == ContextServlet.class.getClassLoader() ? "webapp"
                                    : loader == null ? "null" : loader.getClass().getName()) + "\\n";
                }

                private static String prefixed(String prefix, String lines) {
                    StringBuilder b = new StringBuilder();
                    for (String line : lines.split("\\n")) {
                        b.append(prefix).append(line).append('\\n');
                    }
                    return b.toString();
                }
            }
            """;

    private static final List<String> ENDPOINTS = List.of("/carry", "/after", "/ping");

    static String webXml(String servletPackage) {
        return WebXml.header(servletPackage)
                + "  <servlet>\n"
                + "    <servlet-name>context</servlet-name>\n"
                + "    <servlet-class>ctx.ContextServlet</servlet-class>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>context</servlet-name>\n"
                + WebXml.urlPatterns(ENDPOINTS)
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /** The logging jars the build copied for the application: {@code -Dit.webappLibs.logging}. */
    public static List<Path> loggingJars() throws IOException {
        return ItEnvironment.webappLibs(
                "logging", "slf4j-api-", "logback-classic-", "logback-core-", "log4j-api-", "log4j-core-");
    }

    /** Compiles the application against {@code distribution}'s servlet API and packs it into {@code <dir>/ctx.war}. */
    public static Path build(TomcatDistribution distribution, Path dir) throws IOException {
        String pkg = distribution.servletPackage();
        List<Path> logging = loggingJars();
        List<Path> compileWith = new ArrayList<>(List.of(distribution.servletApiJar(), ItEnvironment.apiJar()));
        compileWith.addAll(logging);
        Path classes =
                JavaSources.compile(dir.resolve("ctx-classes"), compileWith, TestWebApps.forPackage(SERVLET, pkg));
        List<Path> libs = new ArrayList<>(List.of(ItEnvironment.apiJar()));
        libs.addAll(logging);
        return WebArchive.pack(
                WebArchive.explode(dir.resolve("ctx-war"), webXml(pkg), classes, libs), dir.resolve("ctx.war"));
    }

    /** An answer's {@code key=value} lines, in order. */
    public static Map<String, String> parse(String body) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return values;
    }
}
