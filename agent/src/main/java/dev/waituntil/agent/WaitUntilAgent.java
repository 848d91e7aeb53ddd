package dev.waituntil.agent;

import dev.waituntil.agent.bridge.AgentJar;
import dev.waituntil.agent.bridge.BootstrapInjector;
import dev.waituntil.agent.cli.CommandLine;
import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.hook.HookPoint;
import dev.waituntil.agent.instrumentation.ContainerDrains;
import dev.waituntil.agent.instrumentation.Instrumenter;
import dev.waituntil.agent.instrumentation.capture.CaptureSummary;
import dev.waituntil.agent.jmx.JmxRegistration;
import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Entry point of {@code wait-until-agent.jar}: {@code -javaagent} ({@link #premain}), dynamic attach
 * ({@link #agentmain}) and the attach command ({@link #main}). Whatever goes wrong here is logged and the application starts
 * without us: the agent must never stop its host.
 */
public final class WaitUntilAgent {

    /**
     * Sets up {@code java.util.logging} at its first line only ({@link AgentLog}), once {@code start} has set Byte
     * Buddy's warm-up going.
     */
    private static final Logger LOG = AgentLog.get(WaitUntilAgent.class);

    private static Logger log() {
        return LOG;
    }

    static final String API_CLASS = "dev.waituntil.WaitUntil";

    private static TaskRuntime runtime;

    private WaitUntilAgent() {}

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, false);
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, true);
    }

    /** The attach and operator commands; see {@link CommandLine}. */
    public static void main(String[] args) {
        System.exit(CommandLine.run(args, System.out, System.err));
    }

    private static synchronized void start(String arguments, Instrumentation instrumentation, boolean attached) {
        if (runtime != null) {
            log().warn(
                            "wait-until: the agent is already running in this JVM; ignoring the second start (arguments {})",
                            arguments == null ? "none" : arguments);
            return;
        }
        try {
            BootstrapInjector.inject(instrumentation, AgentJar.locate());
            final List<String> problems = new ArrayList<String>();
            Config config = Config.fromEnvironment(arguments, new Consumer<String>() {
                @Override
                public void accept(String problem) {
                    problems.add(problem); // logged once the warm-up runs: making the logger starts logging
                }
            });
            // First, so that Byte Buddy warms up on a thread of its own while the rest starts here.
            List<HookPoint> hookPoints = Instrumenter.hookPoints(config);
            Instrumenter.Prepared instrumenter = Instrumenter.prepare(hookPoints);
            for (String problem : problems) {
                log().warn(problem);
            }
            List<String> off = Instrumenter.disabledGroups(config);
            if (!off.isEmpty()) {
                log().info(
                                "wait-until: instrumentation switched off by settings: {}; their hook points are not "
                                        + "installed",
                                String.join(", ", off));
            }
            TaskRuntime started = new TaskRuntime(config);
            ContainerDrains drains = BootstrapTargets.install(started);
            Instrumenter.install(instrumentation, instrumenter, config.flag(Setting.DEBUG));
            Runtime.getRuntime().addShutdownHook(new Thread(drains::jvmStopping, "wait-until-drain"));
            runtime = started;
            // Creating the platform MBean server is the most work of the start after Byte Buddy's; not at the same
            // time.
            instrumenter.afterWarmUp(() -> registerMBean(started));
            int handedOver = attached ? handOverLoadedApiCopies(instrumentation) : 0;
            log().info(
                            "wait-until {} agent started{}; settings: {}; instruments: request scope (javax.servlet, "
                                    + "jakarta.servlet), drains before connectors close in Tomcat and Jetty and before a Spring context closes its beans, application "
                                    + "drains on destroy in any servlet container, JVM shutdown hook ({} hook points){}",
                            version(),
                            attached ? " by dynamic attach" : "",
                            config.describe(),
                            hookPoints.size(),
                            attached ? "; API copies handed over: " + handedOver : "");
            log().info("wait-until: capture: {}", CaptureSummary.describe(config, off));
        } catch (Throwable e) {
            log().error(
                            "wait-until: the agent could not start and is NOT active; the application runs without it. Cause: "
                                    + e,
                            e);
        }
    }

    /** The runtime of this JVM, or null before the agent started. */
    public static synchronized TaskRuntime runtime() {
        return runtime;
    }

    private static void registerMBean(TaskRuntime runtime) {
        try {
            JmxRegistration.registerInBackground(runtime, version());
        } catch (Throwable e) { // a runtime trimmed of java.management, or one that refuses a new thread
            log().warn("wait-until: the JMX MBean is not available ({}); the agent works without it", e.toString());
        }
    }

    /**
     * API copies loaded before the agent run in standalone mode; tell each to use the agent from now on.
     */
    private static int handOverLoadedApiCopies(Instrumentation instrumentation) {
        int count = 0;
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (!API_CLASS.equals(type.getName())) {
                continue;
            }
            try {
                Method handOver = type.getDeclaredMethod("agentAttached");
                handOver.setAccessible(true);
                handOver.invoke(null);
                count++;
            } catch (ReflectiveOperationException | RuntimeException e) {
                log().warn(
                                "wait-until: could not hand the API copy in {} over to the agent; it keeps tracking its tasks "
                                        + "in-process ({})",
                                type.getClassLoader(),
                                e.toString());
            }
        }
        return count;
    }

    static String version() {
        String v = WaitUntilAgent.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build)";
    }
}
