package dev.waituntil.benchmarks.server.hello;

import java.io.File;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;

/**
 * Embedded Tomcat 10.1 serving {@link HelloServlet} at {@code /hello} on 127.0.0.1: one context added with
 * {@code addContext} (no default servlet, no JSP), Tomcat's default NIO connector and thread pool. One setting
 * differs from Tomcat's defaults: {@code maxKeepAliveRequests=-1}. With the default (100) Tomcat closes every
 * keep-alive connection after 100 requests, and the benchmark would measure TCP reconnects as much as requests;
 * Jetty has no such limit.
 *
 * <pre>java [-javaagent:agent/target/wait-until-agent.jar] -cp benchmarks/target/benchmarks-hello.jar:benchmarks/target/servers/tomcat10/* \
 *      dev.waituntil.benchmarks.server.hello.TomcatHello [port [base dir]]</pre>
 */
public final class TomcatHello {

    private TomcatHello() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        File base = args.length > 1
                ? new File(args[1])
                : Files.createTempDirectory("hello-tomcat").toFile();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.getAbsolutePath());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxKeepAliveRequests", "-1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.getAbsolutePath());
        Tomcat.addServlet(context, "hello", new HelloServlet()).addMapping(HelloServlet.PATH);
        tomcat.start();
        HelloServlet.started(ServerInfo.getServerInfo(), connector.getLocalPort());
        tomcat.getServer().await();
    }
}
