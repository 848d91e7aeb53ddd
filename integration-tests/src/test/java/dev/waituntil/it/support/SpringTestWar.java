package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Spring web application of {@code SpringWarIT}: a WAR with a plain Spring root context, no Spring Boot, as
 * applications were deployed before Boot and still are. {@code WEB-INF/lib} holds Spring Framework 6.2 (spring-context,
 * spring-web and their runtime closure, copied by the build into {@code -Dit.webappLibs.spring}) and the wait-until
 * API jar; {@code web.xml} declares Spring's {@code ContextLoaderListener} with an
 * {@code AnnotationConfigWebApplicationContext} of the {@code @Configuration} class {@code wt.SpringConfig}. Built by
 * {@link TomcatTestWar#build(TomcatDistribution, Path, String, String, List, List, int)}, it writes the same events
 * file:
 * <ul>
 * <li>{@code /work?label=X&ms=N}: writes {@code REQUEST X}, then {@code WaitUntil.run(X, ...)}: the task sleeps N ms,
 *     then calls {@code receipts.done(X)}, which writes {@code DONE X}, or {@code USED-AFTER-DESTROY X} and throws
 *     once Spring has destroyed the bean ({@code INTERRUPTED X} if the sleep was interrupted); answers {@code accepted X};
 * <li>{@code /ping}: {@code pong}, once the servlet has the bean from the root context;
 * <li>the bean {@code Receipts} ({@code DisposableBean}) writes {@code BEAN-DESTROYED receipts} when Spring destroys it,
 *     at the close of the root context, in {@code ContextLoaderListener.contextDestroyed}.
 * </ul>
 * {@code done} and {@code destroy} hold the bean's lock while they check or set its state and write their line, so a
 * {@code DONE} line is always before {@code BEAN-DESTROYED} in the file, and a {@code USED-AFTER-DESTROY} line after it.
 */
public final class SpringTestWar {

    /** The event of the bean's destruction; its subject is always {@value #BEAN}. */
    public static final String BEAN_DESTROYED = "BEAN-DESTROYED";

    public static final String USED_AFTER_DESTROY = "USED-AFTER-DESTROY";
    public static final String BEAN = "receipts";

    private SpringTestWar() {}

    static final String CONFIG = """
            package wt;

            import org.springframework.context.annotation.Bean;
            import org.springframework.context.annotation.Configuration;

            @Configuration
            public class SpringConfig {
                @Bean
                public Receipts receipts() {
                    return new Receipts();
                }
            }
            """;

    static final String RECEIPTS = """
            package wt;

            import org.springframework.beans.factory.DisposableBean;

            /** Stands for a mailer or a repository whose resources Spring closes when the context closes. */
            public class Receipts implements DisposableBean {
                private boolean destroyed;

                public synchronized void done(String label) {
                    if (destroyed) {
                        Events.event("USED-AFTER-DESTROY", label);
                        throw new IllegalStateException("Receipts used after Spring destroyed it (task '" + label + "')");
                    }
                    Events.event("DONE", label);
                }

                @Override
                public synchronized void destroy() {
                    destroyed = true;
                    Events.event("BEAN-DESTROYED", "receipts");
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
            import org.springframework.web.context.support.WebApplicationContextUtils;

            /** A plain servlet beside Spring: it takes its bean from the root context, as such servlets do. */
            public class SpringWorkServlet extends HttpServlet {

                private volatile Receipts receipts;

                @Override
                public void init() {
                    receipts = WebApplicationContextUtils.getRequiredWebApplicationContext(getServletContext())
                            .getBean(Receipts.class);
                }

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
                    resp.setContentType("text/plain;charset=UTF-8");
                    String path = req.getServletPath();
                    if ("/work".equals(path)) {
                        final String label = req.getParameter("label");
                        final long ms = Long.parseLong(req.getParameter("ms"));
                        final Receipts bean = receipts;
                        Events.event("REQUEST", label);
                        WaitUntil.run(label, () -> {
                            try {
                                Thread.sleep(ms);
                            } catch (InterruptedException e) {
                                Events.event("INTERRUPTED", label);
                                return;
                            }
                            bean.done(label);
                        });
                        resp.getWriter().println("accepted " + label);
                    } else if ("/ping".equals(path)) {
                        resp.getWriter().println("pong");
                    } else {
                        resp.sendError(404, "no endpoint " + path);
                    }
                }
            }
            """;

    /**
     * The descriptor. {@code apiInitializer} false adds an empty {@code <absolute-ordering/>}: no jar of
     * {@code WEB-INF/lib} then runs its {@code ServletContainerInitializer}, the API's standalone drain among them
     * (docs/api.md, "Without the agent"), nor Spring's, which finds nothing to start here anyway.
     */
    static String webXml(String servletPackage, boolean apiInitializer) {
        return WebXml.header(servletPackage)
                + (apiInitializer ? "" : "  <absolute-ordering/>\n")
                + "  <context-param>\n"
                + "    <param-name>contextClass</param-name>\n"
                + "    <param-value>org.springframework.web.context.support.AnnotationConfigWebApplicationContext</param-value>\n"
                + "  </context-param>\n"
                + "  <context-param>\n"
                + "    <param-name>contextConfigLocation</param-name>\n"
                + "    <param-value>wt.SpringConfig</param-value>\n"
                + "  </context-param>\n"
                + "  <listener>\n"
                + "    <listener-class>org.springframework.web.context.ContextLoaderListener</listener-class>\n"
                + "  </listener>\n"
                + "  <servlet>\n"
                + "    <servlet-name>work</servlet-name>\n"
                + "    <servlet-class>wt.SpringWorkServlet</servlet-class>\n"
                + "    <load-on-startup>1</load-on-startup>\n"
                + "  </servlet>\n"
                + "  <servlet-mapping>\n"
                + "    <servlet-name>work</servlet-name>\n"
                + WebXml.urlPatterns(List.of("/work", "/ping"))
                + "  </servlet-mapping>\n"
                + "</web-app>\n";
    }

    /** The jars of Spring Framework that the build copied: {@code -Dit.webappLibs.spring}. */
    public static List<Path> springJars() throws IOException {
        return ItEnvironment.webappLibs(
                "spring",
                "spring-context-",
                "spring-web-",
                "spring-core-",
                "spring-jcl-",
                "spring-beans-",
                "spring-aop-",
                "spring-expression-",
                "micrometer-observation-",
                "micrometer-commons-");
    }

    /** The version of the bundled spring-context, from its file name ({@code spring-context-6.2.19.jar}). */
    public static String springVersion() throws IOException {
        String prefix = "spring-context-";
        return springJars().stream()
                .map(jar -> jar.getFileName().toString())
                .filter(n -> n.startsWith(prefix))
                .map(n -> n.substring(prefix.length(), n.length() - ".jar".length()))
                .findFirst()
                .orElseThrow();
    }

    /**
     * Builds the application for {@code distribution} (a jakarta one: Spring 6 is jakarta only) into
     * {@code <dir>/<name>.war}, with the API's initializer active or switched off ({@link #webXml}); returns the file.
     * Compiled with {@code --release 17}, the release Spring 6 is built for.
     */
    public static Path build(TomcatDistribution distribution, Path dir, String name, boolean apiInitializer)
            throws IOException {
        if (!distribution.servletPackage().startsWith("jakarta.")) {
            throw new IllegalArgumentException("Spring Framework 6 needs a jakarta container, not " + distribution);
        }
        return TomcatTestWar.build(
                distribution,
                dir,
                name,
                webXml(distribution.servletPackage(), apiInitializer),
                List.of(CONFIG, RECEIPTS, SERVLET),
                springJars(),
                17);
    }
}
