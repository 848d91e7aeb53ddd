package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Container;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JavaSources;
import dev.waituntil.it.support.TestWebApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server stopped and started again in one JVM, as Spring Boot devtools' restart and many test suites
 * do: the first stop drains (and closes) the runtime; the second server must get it open again, and its
 * own stop must drain with a deadline of its own. Embedded Tomcat 10.1 with the agent.
 */
class ServerRestartIT {

    private static final String RESTART_TWICE = """
            package launcher;

            import java.io.File;
            import java.io.InputStream;
            import java.net.URL;
            import org.apache.catalina.connector.Connector;
            import org.apache.catalina.startup.Tomcat;

            public class RestartTwice {
                public static void main(String[] args) throws Exception {
                    File app = new File(args[0]);
                    for (int round = 1; round <= 2; round++) {
                        File base = new File(args[1], "round-" + round);
                        new File(base, "webapps").mkdirs();
                        Tomcat tomcat = new Tomcat();
                        tomcat.setBaseDir(base.getAbsolutePath());
                        Connector connector = new Connector("HTTP/1.1");
                        connector.setPort(0);
                        connector.setProperty("address", "127.0.0.1");
                        tomcat.setConnector(connector);
                        tomcat.addWebapp("/a", app.getAbsolutePath());
                        tomcat.start();
                        try (InputStream in = new URL("http://127.0.0.1:" + connector.getLocalPort()
                                + "/a/run?label=round-" + round + "&ms=500").openStream()) {
                            System.out.println("ROUND " + round + " ANSWER " + new String(in.readAllBytes()).trim().replace('\\n', ' '));
                        }
                        tomcat.stop();
                        tomcat.destroy();
                        System.out.println("ROUND " + round + " STOPPED");
                    }
                }
            }
            """;

    @Test
    void aServerStartedAgainInTheSameJvmAcceptsAndDrainsTasks() throws Exception {
        Path dir = ItEnvironment.freshWorkDir("server-restart");
        Container tomcat = Container.TOMCAT_10;
        Path launcher = JavaSources.compile(dir.resolve("launcher"), tomcat.jars(), 17, RESTART_TWICE);
        Path app = TestWebApps.build(tomcat, dir, "a").resolve("a");
        List<Path> classpath = new ArrayList<>(tomcat.jars());
        classpath.add(launcher);
        try (JavaProcess p = JavaProcess.builder("restart twice")
                .javaAgent(ItEnvironment.agentJar(), "debug=true")
                .classpath(classpath.toArray(new Path[0]))
                .mainClass(
                        "launcher.RestartTwice",
                        app.toString(),
                        dir.resolve("bases").toString())
                .start()) {
            int exit = p.waitFor(Duration.ofMinutes(2));
            String out = p.describe();
            assertEquals(0, exit, out);
            assertEquals(0, p.countLinesContaining("rejected"), "nothing is refused after the restart\n" + out);
            assertEquals(1, p.countLinesContaining("a server starts again in this JVM after a stop"), out);
            for (int round = 1; round <= 2; round++) {
                String label = "'round-" + round + "'";
                int completed = p.indexOfLineContaining("task " + label);
                int stopped = p.indexOfLineContaining("ROUND " + round + " STOPPED");
                assertTrue(
                        completed >= 0 && p.texts().get(completed).contains("completed"),
                        "round " + round + "'s task completed\n" + out);
                assertTrue(completed < stopped, "round " + round + "'s stop waited for its task\n" + out);
            }
            assertEquals(
                    2,
                    p.linesContaining("drain of the JVM for Tomcat's engine stop").stream()
                            .filter(l -> l.contains("all tasks finished"))
                            .count(),
                    "each stop drained, in time\n" + out);
        }
    }
}
