package dev.waituntil.it.operations;

import dev.waituntil.it.support.Container;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JavaSources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The program the redeploy tests run, on embedded Tomcat 10.1 in its own JVM with the agent ({@code debug=true}):
 * deploys an exploded application as {@code /a}, sends it requests ({@code GET}, one after another, each answered
 * before the next), undeploys it, again and again; then counts the application class loaders still reachable after
 * GC and the threads that keep one as their context class loader. It prints {@code UNDEPLOYED <cycle> IN <n> MS},
 * {@code LIVE LOADERS <n> OF <cycles>} and {@code THREADS HOLDING A LOADER <n>}.
 */
final class RedeployLoop {

    /**
     * Deploys the application as {@code /a} again and again. Holds each application's class loader weakly only (or,
     * with {@code pin}, strongly: the control that shows a leak would be seen). Arguments: the application's
     * directory, a scratch directory, the cycles, the requests per cycle, the request's path and query as a format
     * of the cycle and the request's index ({@code /a/run?label=cycle-%d-task-%d&ms=200}), and {@code pin}.
     */
    private static final String SOURCE = """
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
                    int requests = Integer.parseInt(args[3]);
                    String request = args[4];
                    boolean pin = Boolean.parseBoolean(args[5]);
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
                        for (int r = 0; r < requests; r++) {
                            String path = String.format(request, cycle, r);
                            try (InputStream in = new URL("http://127.0.0.1:" + port + path).openStream()) {
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

    private final Path launcher;
    private final Path app;
    private final Path scratch;

    private RedeployLoop(Path launcher, Path app, Path scratch) {
        this.launcher = launcher;
        this.app = app;
        this.scratch = scratch;
    }

    /** Compiles the program into {@code dir}, to redeploy the exploded application {@code app}. */
    static RedeployLoop build(Path dir, Path app) throws IOException {
        Path launcher = JavaSources.compile(dir.resolve("launcher"), Container.TOMCAT_10.jars(), 17, SOURCE);
        return new RedeployLoop(launcher, app, dir.resolve("scratch"));
    }

    /** The program's JVM, with the agent: {@code cycles} deploys, each with {@code requests} requests. */
    JavaProcess.Builder loop(String name, int cycles, int requests, String request, boolean pin) {
        return loop(name, "debug=true", cycles, requests, request, pin);
    }

    /** As {@link #loop(String, int, int, String, boolean)}, with these agent arguments. */
    JavaProcess.Builder loop(
            String name, String agentArguments, int cycles, int requests, String request, boolean pin) {
        List<Path> classpath = new ArrayList<>(Container.TOMCAT_10.jars());
        classpath.add(launcher);
        return JavaProcess.builder(name)
                .javaAgent(ItEnvironment.agentJar(), agentArguments)
                .jvmOption("-Xmx256m")
                .classpath(classpath.toArray(new Path[0]))
                .mainClass(
                        "launcher.RedeployLoop",
                        app.toString(),
                        scratch.resolve(name.replace(' ', '-')).toString(),
                        String.valueOf(cycles),
                        String.valueOf(requests),
                        request,
                        String.valueOf(pin));
    }
}
