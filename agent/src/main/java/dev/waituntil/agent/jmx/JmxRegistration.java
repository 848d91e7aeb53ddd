package dev.waituntil.agent.jmx;

import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;

/** Puts {@link WaitUntilMXBean} into an MBean server. */
public final class JmxRegistration {

    private static final Logger LOG = AgentLog.get(JmxRegistration.class);

    private JmxRegistration() {}

    public static ObjectName objectName() {
        try {
            return new ObjectName(WaitUntilMXBean.OBJECT_NAME);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void register(MBeanServer server, TaskRuntime runtime, String version) throws JMException {
        server.registerMBean(new WaitUntilBean(runtime, version), objectName());
    }

    /**
     * Registers in the platform MBean server from a short-lived daemon thread: creating that server
     * costs tens of milliseconds, which the JVM's start-up should not wait for. A failure is one
     * warning; the agent works without JMX.
     */
    public static void registerInBackground(final TaskRuntime runtime, final String version) {
        Thread thread = new Thread(
                new Runnable() {
                    @Override
                    public void run() {
                        registerInPlatformServer(runtime, version);
                    }
                },
                "wait-until-jmx");
        thread.setDaemon(true);
        // The platform server and MXBean introspection consult the context loader; under agentmain it is
        // whatever the attach thread had.
        thread.setContextClassLoader(JmxRegistration.class.getClassLoader());
        thread.start();
    }

    static void registerInPlatformServer(TaskRuntime runtime, String version) {
        long start = System.nanoTime();
        try {
            register(ManagementFactory.getPlatformMBeanServer(), runtime, version);
            if (runtime.isDebug()) {
                LOG.info(
                        "wait-until: MBean {} registered in the platform MBean server ({} ms)",
                        WaitUntilMXBean.OBJECT_NAME,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        } catch (InstanceAlreadyExistsException e) {
            LOG.warn(
                    "wait-until: an MBean {} is already registered in this JVM; JMX and the status, tasks and drain "
                            + "commands see that one, not this agent",
                    WaitUntilMXBean.OBJECT_NAME);
        } catch (Throwable e) {
            LOG.warn(
                    "wait-until: could not register the MBean {} ({}); the agent works without it, but JMX and the "
                            + "status, tasks and drain commands do not",
                    WaitUntilMXBean.OBJECT_NAME,
                    e.toString());
        }
    }
}
