package dev.waituntil.it.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.it.support.Container;
import dev.waituntil.it.support.Figures;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JavaSources;
import dev.waituntil.it.support.TestWebApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agent hygiene on redeploy, on embedded Tomcat 10.1 in its own JVM with the agent: an application is
 * deployed and undeployed 20 times (50 under the stress profile), each time with tasks still running
 * when it is undeployed. The undeploy must wait for them (the per-application drain), and afterwards
 * no application class loader may stay reachable, no thread may keep one as its context class loader,
 * and Tomcat must not warn that the application "appears to have started a thread".
 */
class RedeployLeakIT {

    /** 20 in CI; the stress profile of integration-tests makes it 50 ({@code it.redeploys}). */
    private static final int CYCLES = Integer.getInteger("it.redeploys", 20);

    private static final int TASKS_PER_CYCLE = 3;

    /**
     * Deploys {@code webapps/a} as {@code /a} again and again. Holds each application's class loader
     * weakly only (or, with {@code pin}, strongly: the control that shows a leak would be seen).
     */
    private static final String REDEPLOY_LOOP = """
            package launcher;

            import java.io.File;
            import java.io.InputStream;
            import java.lang.ref.WeakReference;
            import java.net.URL;
            import java.util.ArrayList;
            import java.util.List;
            import org.apache.catalina.Context;
            import org.apache.catalina.connector.Connector;
            import org.apache.catalina.startup.Tomcat;

            public class RedeployLoop {
                static final List<ClassLoader> PINNED = new ArrayList<>();

                public static void main(String[] args) throws Exception {
                    File app = new File(args[0]);
                    File scratch = new File(args[1]);
                    int cycles = Integer.parseInt(args[2]);
                    int tasks = Integer.parseInt(args[3]);
                    boolean pin = Boolean.parseBoolean(args[4]);
                    new File(scratch, "webapps").mkdirs();
                    Tomcat tomcat = new Tomcat();
                    tomcat.setBaseDir(scratch.getAbsolutePath());
                    Connector connector = new Connector("HTTP/1.1");
                    connector.setPort(0);
                    connector.setProperty("address", "127.0.0.1");
                    tomcat.setConnector(connector);
                    // Tomcat's background processor every second instead of every 10: it often meets an
                    // undeploy, which is when it can be caught holding the stopping application's loader.
                    tomcat.getEngine().setBackgroundProcessorDelay(1);
                    tomcat.start();
                    int port = connector.getLocalPort();
                    List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
                    for (int cycle = 0; cycle < cycles; cycle++) {
                        Context context = tomcat.addWebapp("/a", app.getAbsolutePath());
                        for (int t = 0; t < tasks; t++) {
                            try (InputStream in = new URL("http://127.0.0.1:" + port + "/a/run?label=cycle-" + cycle
                                    + "-task-" + t + "&ms=200").openStream()) {
                                in.readAllBytes();
                            }
                        }
                        ClassLoader loader = context.getLoader().getClassLoader();
                        loaders.add(new WeakReference<>(loader));
                        if (pin) {
                            PINNED.add(loader);
                        }
                        loader = null;
                        long start = System.nanoTime();
                        tomcat.getHost().removeChild(context); // undeploy: stop, then destroy
                        System.out.println("UNDEPLOYED " + cycle + " IN " + (System.nanoTime() - start) / 1_000_000 + " MS");
                        context = null;
                    }
                    for (int i = 0; i < 20 && countLive(loaders) > 0; i++) {
                        System.gc();
                        Thread.sleep(100);
                    }
                    System.out.println("LIVE LOADERS " + countLive(loaders) + " OF " + cycles);
                    int holding = 0;
                    for (Thread thread : Thread.getAllStackTraces().keySet()) {
                        ClassLoader ccl = thread.getContextClassLoader();
                        if (ccl != null && ccl.getClass().getName().contains("WebappClassLoader")) {
                            holding++;
                            System.out.println("THREAD " + thread.getName() + " HOLDS " + ccl.getClass().getName());
                        }
                    }
                    System.out.println("THREADS HOLDING A LOADER " + holding);
                    System.out.flush();
                    tomcat.stop();
                    tomcat.destroy();
                }

                static int countLive(List<WeakReference<ClassLoader>> loaders) {
                    int live = 0;
                    for (WeakReference<ClassLoader> ref : loaders) {
                        if (ref.get() != null) {
                            live++;
                        }
                    }
                    return live;
                }
            }
            """;

    private static Path launcher;
    private static Path app;
    private static Path scratch;

    @BeforeAll
    static void build() throws Exception {
        Path dir = ItEnvironment.freshWorkDir("redeploy-leak");
        Container tomcat = Container.TOMCAT_10;
        launcher = JavaSources.compile(dir.resolve("launcher"), tomcat.jars(), 17, REDEPLOY_LOOP);
        app = TestWebApps.build(tomcat, dir, "a").resolve("a");
        scratch = dir.resolve("scratch");
    }

    private static JavaProcess.Builder loop(String name, boolean pin) {
        List<Path> classpath = new ArrayList<>(Container.TOMCAT_10.jars());
        classpath.add(launcher);
        return JavaProcess.builder(name)
                .javaAgent(ItEnvironment.agentJar(), "debug=true")
                .jvmOption("-Xmx256m")
                .classpath(classpath.toArray(new Path[0]))
                .mainClass(
                        "launcher.RedeployLoop",
                        app.toString(),
                        scratch.resolve(name.replace(' ', '-')).toString(),
                        String.valueOf(CYCLES),
                        String.valueOf(TASKS_PER_CYCLE),
                        String.valueOf(pin));
    }

    @Test
    void redeploysWithTasksInFlightLeaveNoClassLoaderAndNoThreadBehind() throws Exception {
        try (JavaProcess p = loop("redeploy loop", false).start()) {
            int exit = p.waitFor(Duration.ofMinutes(3));
            String out = p.describe();
            assertEquals(0, exit, out);
            assertTrue(
                    p.texts().contains("LIVE LOADERS 0 OF " + CYCLES), "no application class loader survives\n" + out);
            assertTrue(
                    p.texts().contains("THREADS HOLDING A LOADER 0"), "no thread keeps one as context loader\n" + out);
            // Not from the agent's threads, nor from Tomcat's utility thread waiting on the context that the
            // agent drains (BackgroundProcessInstrumentation).
            assertEquals(List.of(), p.linesContaining("appears to have started a thread"), out);
            long completed = p.linesContaining("completed").stream()
                    .filter(l -> l.contains("'cycle-"))
                    .count();
            assertEquals(CYCLES * TASKS_PER_CYCLE, completed, "every task of every cycle finished\n" + out);
            assertEquals(
                    CYCLES,
                    p.linesContaining("drain of application /a for its stop").size(),
                    "each undeploy drained the application\n" + out);
            assertEquals(0, p.countLinesContaining("still pending"), out);
            assertEquals(0, p.countLinesContaining("rejected"), out);
            Figures.print("redeploy: " + CYCLES + " undeploys with " + TASKS_PER_CYCLE + " tasks in flight each: "
                    + "tasks completed " + completed + ", application drains " + CYCLES
                    + ", class loaders alive after GC 0, "
                    + "threads holding one as context loader 0, 'appears to have started a thread' warnings 0 (Tomcat's "
                    + "background processor every 1 s)");
        }
    }

    /** The control: the same loop pinning every loader shows that the count above can see a leak. */
    @Test
    void theMeasurementSeesALeakWhenThereIsOne() throws Exception {
        try (JavaProcess p = loop("redeploy pinned", true).start()) {
            int exit = p.waitFor(Duration.ofMinutes(3));
            String out = p.describe();
            assertEquals(0, exit, out);
            assertTrue(p.texts().contains("LIVE LOADERS " + CYCLES + " OF " + CYCLES), out);
        }
    }
}
