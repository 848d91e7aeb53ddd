package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A servlet container embedded as a library in a program of its own, as the {@code Embedded*DrainIT} tests run
 * it: the program ({@code launcher.EmbeddedTomcat} or {@code launcher.EmbeddedJetty}, compiled at test time
 * against the container's jars) deploys the application of {@link JettyTestWebApp} (its servlet, its
 * {@code ServletContextListener} and its record file, named by {@value JettyTestWebApp#RECORD_PROPERTY}) at
 * {@code /app}, and then stops the server itself when the file {@code <scratch>/stop} appears.
 *
 * <ul>
 * <li>Tomcat: {@code tomcat.addWebapp("/app", <exploded WAR>)}: the application has its own class loader and
 *     bundles the API jar in {@code WEB-INF/lib}; the program stops with {@code tomcat.stop()} then
 *     {@code tomcat.destroy()}. Embedded Tomcat registers no JVM shutdown hook of its own.
 * <li>Jetty: a {@code ServletContextHandler} at {@code /app} with the servlet ({@code initOrder 1}) and the
 *     listener, whose classes and the API jar are on the program's class path, as in most embedding
 *     programs; {@code server.setStopAtShutdown(<second argument>)}; the program stops with
 *     {@code server.stop()}.
 * </ul>
 * Both print {@code SERVER <name and version>} and {@code STARTED <port>} (127.0.0.1, a free port), and record
 * {@code STOP-BEGIN launcher <millis>} and {@code STOP-END launcher <millis>} around their own stop call, then
 * return from {@code main} (the JVM then exits unless something keeps it alive).
 */
public enum EmbeddedHost {
    TOMCAT_9("tomcat9", "Tomcat 9.0 embedded", "javax.servlet", "tomcat-embed-core-", null),
    TOMCAT_10("tomcat10", "Tomcat 10.1 embedded", "jakarta.servlet", "tomcat-embed-core-", null),
    TOMCAT_11("tomcat11", "Tomcat 11.0 embedded", "jakarta.servlet", "tomcat-embed-core-", null),
    JETTY_10("jetty10", "Jetty 10 embedded", "javax.servlet", "jetty-servlet-api-", "org.eclipse.jetty.servlet"),
    JETTY_11(
            "jetty11",
            "Jetty 11 embedded",
            "jakarta.servlet",
            "jetty-jakarta-servlet-api-",
            "org.eclipse.jetty.servlet"),
    JETTY_12(
            "jetty12",
            "Jetty 12 ee10 embedded",
            "jakarta.servlet",
            "jakarta.servlet-api-",
            "org.eclipse.jetty.ee10.servlet"),
    /** Jetty 12.0 (the constant above runs 12.1): only the {@code latest} profile copies its jars. */
    JETTY_12_0(
            "jetty120",
            "Jetty 12.0 ee10 embedded",
            "jakarta.servlet",
            "jakarta.servlet-api-",
            "org.eclipse.jetty.ee10.servlet");

    /** The context path of the one application. */
    public static final String APP = "/app";

    /** The file whose appearance makes the program call {@code stop()}: {@code <scratch>/stop}. */
    public static final String STOP_FILE = "stop";

    private final String id;
    private final String displayName;
    private final String servletPackage;
    private final String servletApiJarPrefix;
    /** Jetty only: the package of {@code ServletContextHandler} and {@code ServletHolder}. */
    private final String jettyServletPackage;

    EmbeddedHost(
            String id,
            String displayName,
            String servletPackage,
            String servletApiJarPrefix,
            String jettyServletPackage) {
        this.id = id;
        this.displayName = displayName;
        this.servletPackage = servletPackage;
        this.servletApiJarPrefix = servletApiJarPrefix;
        this.jettyServletPackage = jettyServletPackage;
    }

    /** {@code tomcat9}, {@code jetty12}...: the directory under {@code target/containers}. */
    public String id() {
        return id;
    }

    public boolean isJetty() {
        return jettyServletPackage != null;
    }

    /** The agent's name for the stop of this server in its drain lines. */
    public String serverStopTrigger() {
        return isJetty() ? "Jetty's server stop" : "Tomcat's engine stop";
    }

    /** Every jar the build copied for this host ({@code target/containers/<id>}). */
    public List<Path> jars() {
        try (Stream<Path> files = Files.list(ItEnvironment.containerDir(id))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot list the jars of " + displayName + ": " + e, e);
        }
    }

    private Path servletApiJar() {
        return jars().stream()
                .filter(j -> j.getFileName().toString().startsWith(servletApiJarPrefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + servletApiJarPrefix + "*.jar among " + jars()));
    }

    /** A program compiled once, started as often as needed. */
    public record Program(EmbeddedHost host, List<Path> classpath, String mainClass, Path webapp) {

        /**
         * {@code java -cp <classpath> <main> <scratch> <stopAtShutdown> [<webapp>]} with the record file
         * {@code <scratch>/record.txt}; {@code scratch} must exist.
         */
        public JavaProcess.Builder command(String name, Path scratch, boolean stopAtShutdown) {
            List<String> args = new ArrayList<>(List.of(scratch.toString(), String.valueOf(stopAtShutdown)));
            if (webapp != null) {
                args.add(webapp.toString());
            }
            return JavaProcess.builder(name)
                    .classpath(classpath.toArray(new Path[0]))
                    .systemProperty(
                            JettyTestWebApp.RECORD_PROPERTY, recordFile(scratch).toString())
                    .mainClass(mainClass, args.toArray(new String[0]));
        }

        public static Path recordFile(Path scratch) {
            return scratch.resolve("record.txt");
        }
    }

    /**
     * Compiles the program (release 17, against the container's jars) and the application (release 8, against
     * the container's servlet API and the API jar) under {@code dir}.
     */
    public Program compile(Path dir) throws IOException {
        String pkg = servletPackage;
        List<Path> appClasspath = List.of(servletApiJar(), ItEnvironment.apiJar());
        String[] appSources = {
            JettyTestWebApp.RECORDER,
            TestWebApps.forPackage(JettyTestWebApp.SERVLET, pkg),
            TestWebApps.forPackage(JettyTestWebApp.LISTENER, pkg)
        };
        Path launcher = JavaSources.compile(
                dir.resolve("launcher-classes"),
                jars(),
                17,
                isJetty()
                        ? JETTY.replace("JETTY_SERVLET_PACKAGE", jettyServletPackage)
                                .replace("PATHS", jettyPaths())
                        : TOMCAT);
        List<Path> classpath = new ArrayList<>();
        classpath.add(launcher);
        classpath.addAll(jars());
        if (isJetty()) {
            classpath.add(JavaSources.compile(dir.resolve("app-classes"), appClasspath, appSources));
            classpath.add(ItEnvironment.apiJar());
            return new Program(this, List.copyOf(classpath), "launcher.EmbeddedJetty", null);
        }
        Path webapp = dir.resolve("webapp");
        Path webInf = webapp.resolve("WEB-INF");
        JavaSources.compile(webInf.resolve("classes"), appClasspath, appSources);
        Path lib = Files.createDirectories(webInf.resolve("lib"));
        Files.copy(
                ItEnvironment.apiJar(),
                lib.resolve(ItEnvironment.apiJar().getFileName()),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(webInf.resolve("web.xml"), JettyTestWebApp.webXml(pkg));
        return new Program(this, List.copyOf(classpath), "launcher.EmbeddedTomcat", webapp);
    }

    @Override
    public String toString() {
        return displayName;
    }

    /** The part both programs share: the record file, and waiting for the stop file. */
    private static final String COMMON = """
                static void record(String event) {
                    String line = event + " " + System.currentTimeMillis();
                    try (java.io.FileOutputStream out = new java.io.FileOutputStream(
                            System.getProperty("%s"), true)) {
                        out.write((line + "\\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    } catch (java.io.IOException e) {
                        System.out.println("RECORD FAILED " + line + ": " + e);
                    }
                    System.out.println("RECORD " + line);
                    System.out.flush();
                }

                static void awaitStopFile(File scratch) throws InterruptedException {
                    File stop = new File(scratch, "%s");
                    while (!stop.exists()) {
                        Thread.sleep(20);
                    }
                }
            """.formatted(JettyTestWebApp.RECORD_PROPERTY, STOP_FILE);

    /** The servlet's paths other than {@code /ping}, as Java string literals: {@code "/work", "/slow", ...}. */
    private static String jettyPaths() {
        return JettyTestWebApp.ENDPOINTS.stream()
                .filter(p -> !p.equals("/ping"))
                .map(p -> '"' + p + '"')
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Tomcat 9.0, 10.1 and 11.0 alike. Arguments: {@code <scratch> <ignored> <exploded WAR>}. */
    static final String TOMCAT = """
            package launcher;

            import java.io.File;
            import org.apache.catalina.connector.Connector;
            import org.apache.catalina.startup.Tomcat;
            import org.apache.catalina.util.ServerInfo;

            public class EmbeddedTomcat {
                public static void main(String[] args) throws Exception {
                    File scratch = new File(args[0]);
                    new File(scratch, "webapps").mkdirs(); // the host's appBase; nothing is deployed from it
                    Tomcat tomcat = new Tomcat();
                    tomcat.setBaseDir(scratch.getAbsolutePath());
                    Connector connector = new Connector("HTTP/1.1");
                    connector.setPort(0);
                    connector.setProperty("address", "127.0.0.1");
                    tomcat.setConnector(connector);
                    tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP servlet, hence no Jasper needed
                    tomcat.addWebapp("/app", new File(args[2]).getAbsolutePath());
                    tomcat.start();
                    System.out.println("SERVER " + ServerInfo.getServerInfo());
                    System.out.println("STARTED " + connector.getLocalPort());
                    System.out.flush();
                    awaitStopFile(scratch);
                    record("STOP-BEGIN launcher");
                    tomcat.stop();
                    record("STOP-END launcher");
                    tomcat.destroy();
                    System.out.println("MAIN RETURNS");
                }
            """ + COMMON + "}\n";

    /**
     * Jetty 10, 11 and 12 (ee10) alike but for the package of {@code ServletContextHandler}. Arguments:
     * {@code <scratch> <stopAtShutdown>}.
     */
    static final String JETTY = """
            package launcher;

            import java.io.File;
            import java.util.EventListener;
            import org.eclipse.jetty.server.Server;
            import org.eclipse.jetty.server.ServerConnector;
            import JETTY_SERVLET_PACKAGE.ServletContextHandler;
            import JETTY_SERVLET_PACKAGE.ServletHolder;

            public class EmbeddedJetty {
                public static void main(String[] args) throws Exception {
                    File scratch = new File(args[0]);
                    Server server = new Server();
                    ServerConnector connector = new ServerConnector(server);
                    connector.setHost("127.0.0.1");
                    connector.setPort(0);
                    server.addConnector(connector);
                    ServletContextHandler context = new ServletContextHandler();
                    context.setContextPath("/app");
                    ServletHolder work = context.addServlet("app.WorkServlet", "/ping");
                    work.setInitOrder(1);
                    for (String path : new String[] {PATHS}) {
                        context.addServlet(work, path);
                    }
                    context.addEventListener((EventListener) Class.forName("app.Lifecycle")
                            .getDeclaredConstructor().newInstance());
                    server.setHandler(context);
                    server.setStopAtShutdown(Boolean.parseBoolean(args[1]));
                    server.start();
                    System.out.println("SERVER Eclipse Jetty " + Server.getVersion() + ", stopAtShutdown="
                            + server.getStopAtShutdown());
                    System.out.println("STARTED " + connector.getLocalPort());
                    System.out.flush();
                    awaitStopFile(scratch);
                    record("STOP-BEGIN launcher");
                    server.stop();
                    record("STOP-END launcher");
                    System.out.println("MAIN RETURNS");
                }
            """ + COMMON + "}\n";
}
