package dev.waituntil.it.capture;

import dev.waituntil.it.support.CaptureTestWar;
import dev.waituntil.it.support.ItEnvironment;
import dev.waituntil.it.support.JavaProcess;
import dev.waituntil.it.support.JettyDistribution;
import dev.waituntil.it.support.JettyServerProcess;
import dev.waituntil.it.support.TomcatDistribution;
import dev.waituntil.it.support.TomcatServer;
import dev.waituntil.it.support.TomcatTestWar.Events;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The standalone distributions the capture tests run, behind one face: a server started as a real process
 * ({@code catalina.sh run}, {@code java -jar start.jar}) with the legacy WAR ({@link CaptureTestWar}) deployed as each
 * of the given applications, the events file at {@code <base>/events.log}, and the agent when asked for.
 */
final class CaptureServers {

    private CaptureServers() {}

    /** One distribution: what the WAR compiles against, and how a server of it starts. */
    interface Kind {
        String id();

        Path servletApiJar();

        String servletPackage();

        /**
         * Starts a server in a fresh base under {@code dir}, {@code war} deployed as each of {@code apps}, with
         * {@code -javaagent:<agent jar>=<agentArguments>} unless {@code agentArguments} is null, and {@code options}
         * ({@code -Dkey=value}); waits until every application answers {@code /ping}.
         */
        Server start(Path dir, String test, Path war, String agentArguments, List<String> options, String... apps)
                throws Exception;
    }

    /** A running server. */
    interface Server extends AutoCloseable {
        /** {@code GET}, bounded; the status. */
        int status(String pathAndQuery) throws IOException, InterruptedException;

        void sigterm();

        /** Waits, bounded, for the JVM to exit. */
        void awaitExit(Duration timeout) throws InterruptedException;

        /** Deletes {@code webapps/<app>.war}: the container undeploys the application. */
        void undeploy(String app) throws IOException;

        boolean isAlive();

        Path eventsFile();

        default Events events() throws IOException {
            return Events.read(eventsFile());
        }

        /** The server's output, each line with the time it was read. */
        List<JavaProcess.Line> lines();

        /** The wall-clock time from which {@link JavaProcess.Line#millis()} counts. */
        long startWallMillis();

        /** The wall-clock time the stop was sent. */
        long stopWallMillis();

        /** From the stop to the JVM's exit. */
        long stopToExitMillis();

        String describe();

        @Override
        void close();

        default List<String> linesContaining(String text) {
            List<String> found = new ArrayList<>();
            for (JavaProcess.Line line : lines()) {
                if (line.text().contains(text)) {
                    found.add(line.text());
                }
            }
            return found;
        }
    }

    private static List<String> jvmOptions(Path events, List<String> options) {
        List<String> all = new ArrayList<>(List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC"));
        all.add("-D" + CaptureTestWar.EVENTS_PROPERTY + "=" + events);
        all.addAll(options);
        return all;
    }

    static Kind tomcat(String distributionId) {
        TomcatDistribution tomcat = TomcatDistribution.of(distributionId);
        return new Kind() {
            @Override
            public String id() {
                return distributionId;
            }

            @Override
            public Path servletApiJar() {
                return tomcat.servletApiJar();
            }

            @Override
            public String servletPackage() {
                return tomcat.servletPackage();
            }

            @Override
            public Server start(
                    Path dir, String test, Path war, String agentArguments, List<String> options, String... apps)
                    throws Exception {
                // Ours may come among the options instead, where the test orders it beside another vendor's agent.
                boolean ours = agentArguments != null
                        || options.stream().anyMatch(o -> o.startsWith("-javaagent:" + ItEnvironment.agentJar()));
                TomcatDistribution.Base base = tomcat.newBase(dir.resolve(test + (ours ? "-agent" : "-no-agent")));
                for (String app : apps) {
                    base.deploy(war, app);
                }
                Path events = base.dir().resolve("events.log");
                List<String> opts = new ArrayList<>();
                if (agentArguments != null) {
                    opts.add("-javaagent:" + ItEnvironment.agentJar() + "=" + agentArguments);
                }
                opts.addAll(jvmOptions(events, options));
                TomcatServer server = TomcatServer.start(
                        tomcat + " " + test + (ours ? " with the agent" : " without the agent"), tomcat, base, opts);
                try {
                    for (String app : apps) {
                        server.awaitAnswer("/" + app + "/ping", Duration.ofSeconds(30));
                    }
                } catch (Throwable e) {
                    server.close();
                    throw e;
                }
                return new Server() {
                    @Override
                    public int status(String pathAndQuery) throws IOException, InterruptedException {
                        return server.get(pathAndQuery).status();
                    }

                    @Override
                    public void sigterm() {
                        server.sigterm();
                    }

                    @Override
                    public void awaitExit(Duration timeout) throws InterruptedException {
                        server.awaitExit(timeout);
                    }

                    @Override
                    public void undeploy(String app) throws IOException {
                        Files.delete(base.webapps().resolve(app + ".war"));
                    }

                    @Override
                    public boolean isAlive() {
                        return server.isAlive();
                    }

                    @Override
                    public Path eventsFile() {
                        return events;
                    }

                    @Override
                    public List<JavaProcess.Line> lines() {
                        return server.lines();
                    }

                    @Override
                    public long startWallMillis() {
                        return server.startWallMillis();
                    }

                    @Override
                    public long stopWallMillis() {
                        return server.stopWallMillis();
                    }

                    @Override
                    public long stopToExitMillis() {
                        return server.millisFromStopToExit().orElse(-1);
                    }

                    @Override
                    public String describe() {
                        return server.describe();
                    }

                    @Override
                    public void close() {
                        server.close();
                    }
                };
            }
        };
    }

    static Kind jetty(JettyDistribution distribution) {
        return new Kind() {
            @Override
            public String id() {
                return distribution.id();
            }

            @Override
            public Path servletApiJar() {
                return distribution.servletApiJar();
            }

            @Override
            public String servletPackage() {
                return distribution.servletPackage();
            }

            @Override
            public Server start(
                    Path dir, String test, Path war, String agentArguments, List<String> options, String... apps)
                    throws Exception {
                String name = dir.getFileName() + "/" + test + (agentArguments != null ? "-agent" : "-no-agent");
                JettyServerProcess server = JettyServerProcess.create(distribution, name, war, apps);
                Path events = server.base().resolve("events.log");
                server.start(
                        distribution + " " + test + (agentArguments != null ? " with the agent" : " without the agent"),
                        jvm -> {
                            if (agentArguments != null) {
                                jvm.javaAgent(ItEnvironment.agentJar(), agentArguments);
                            }
                            jvmOptions(events, options).forEach(jvm::jvmOption);
                            return jvm;
                        },
                        apps);
                return new Server() {
                    @Override
                    public int status(String pathAndQuery) throws IOException, InterruptedException {
                        HttpResponse<String> r = server.get(pathAndQuery);
                        return r.statusCode();
                    }

                    @Override
                    public void sigterm() {
                        server.sigterm();
                    }

                    @Override
                    public void awaitExit(Duration timeout) throws InterruptedException {
                        server.awaitExit(timeout);
                    }

                    @Override
                    public void undeploy(String app) throws IOException {
                        Files.delete(server.war(app));
                    }

                    @Override
                    public boolean isAlive() {
                        return server.isAlive();
                    }

                    @Override
                    public Path eventsFile() {
                        return events;
                    }

                    @Override
                    public List<JavaProcess.Line> lines() {
                        return server.process().lines();
                    }

                    @Override
                    public long startWallMillis() {
                        return server.process().startWallMillis();
                    }

                    @Override
                    public long stopWallMillis() {
                        return server.stopSignalWallMillis();
                    }

                    @Override
                    public long stopToExitMillis() {
                        return server.process().exitWallMillis().orElse(server.stopSignalWallMillis() - 1)
                                - server.stopSignalWallMillis();
                    }

                    @Override
                    public String describe() {
                        return server.describe();
                    }

                    @Override
                    public void close() {
                        server.close();
                    }
                };
            }
        };
    }
}
