package dev.waituntil.it.support;

/**
 * The {@code main} of each embedded server, as source, compiled at test time against the container's
 * jars. Each takes {@code <webapps dir> <scratch dir>}, deploys every subdirectory of the webapps
 * directory (an exploded WAR) as a web application with its own class loader, at the context path
 * {@code /<subdirectory>}, on a free port of 127.0.0.1; prints {@code SERVER <name and version>} and
 * {@code STARTED <port>}, and blocks until it is killed.
 */
final class ServerLaunchers {

    private ServerLaunchers() {}

    /** Eclipse Jetty 12, ee10 environment: one {@code WebAppContext} per web application. */
    static final String JETTY_12 = """
            package launcher;

            import java.io.File;
            import java.util.Arrays;
            import org.eclipse.jetty.ee10.webapp.WebAppContext;
            import org.eclipse.jetty.server.Server;
            import org.eclipse.jetty.server.ServerConnector;
            import org.eclipse.jetty.server.handler.ContextHandlerCollection;

            public class JettyLauncher {
                public static void main(String[] args) throws Exception {
                    File webapps = new File(args[0]);
                    File scratch = new File(args[1]);
                    Server server = new Server();
                    ServerConnector connector = new ServerConnector(server);
                    connector.setHost("127.0.0.1");
                    connector.setPort(0);
                    server.addConnector(connector);
                    ContextHandlerCollection contexts = new ContextHandlerCollection();
                    File[] apps = webapps.listFiles(File::isDirectory);
                    Arrays.sort(apps);
                    for (File app : apps) {
                        WebAppContext context = new WebAppContext();
                        context.setContextPath("/" + app.getName());
                        context.setWar(app.getAbsolutePath());
                        context.setTempDirectory(new File(scratch, app.getName()));
                        contexts.addHandler(context);
                    }
                    server.setHandler(contexts);
                    server.start();
                    System.out.println("SERVER Eclipse Jetty " + Server.getVersion());
                    System.out.println("STARTED " + connector.getLocalPort());
                    System.out.flush();
                    server.join();
                }
            }
            """;

    /**
     * Apache Tomcat 9.0 or 10.1 embedded (the same code for both): {@code tomcat.addWebapp(contextPath, dir)}.
     * Tomcat's default web.xml declares a JSP servlet; without Jasper on the class path it logs one
     * harmless {@code SEVERE ... ClassNotFoundException: org.apache.jasper.servlet.JspServlet} per application.
     */
    static final String TOMCAT = """
            package launcher;

            import java.io.File;
            import java.util.Arrays;
            import org.apache.catalina.connector.Connector;
            import org.apache.catalina.startup.Tomcat;
            import org.apache.catalina.util.ServerInfo;

            public class TomcatLauncher {
                public static void main(String[] args) throws Exception {
                    File webapps = new File(args[0]);
                    File scratch = new File(args[1]);
                    new File(scratch, "webapps").mkdirs(); // the host's appBase; nothing is deployed from it
                    Tomcat tomcat = new Tomcat();
                    tomcat.setBaseDir(scratch.getAbsolutePath());
                    Connector connector = new Connector("HTTP/1.1");
                    connector.setPort(0);
                    connector.setProperty("address", "127.0.0.1");
                    tomcat.setConnector(connector);
                    File[] apps = webapps.listFiles(File::isDirectory);
                    Arrays.sort(apps);
                    for (File app : apps) {
                        tomcat.addWebapp("/" + app.getName(), app.getAbsolutePath());
                    }
                    tomcat.start();
                    System.out.println("SERVER " + ServerInfo.getServerInfo());
                    System.out.println("STARTED " + connector.getLocalPort());
                    System.out.flush();
                    tomcat.getServer().await();
                }
            }
            """;
}
