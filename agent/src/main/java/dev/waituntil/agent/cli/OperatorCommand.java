package dev.waituntil.agent.cli;

import dev.waituntil.agent.jmx.JmxRegistration;
import dev.waituntil.agent.jmx.WaitUntilMXBean;
import java.io.IOException;
import java.io.PrintStream;
import java.net.MalformedURLException;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code status}, {@code tasks} and {@code drain}: a JMX client of {@link WaitUntilMXBean} in the target
 * JVM, through its local connector. It reads open types only, as any JMX client would, so that it
 * also works against an agent of another version.
 */
final class OperatorCommand {

    /** The attributes {@code status} prints, in this order. */
    static final String[] STATUS_ATTRIBUTES = {
        "Version",
        "Pending",
        "OldestPendingMillis",
        "Registered",
        "Completed",
        "Failed",
        "Cancelled",
        "Rejected",
        "RequestsInFlight",
        "ShuttingDown",
        "Applications",
        "Settings"
    };

    /** How long to wait for the MBean of an agent that was attached a moment ago. */
    private static final long MBEAN_WAIT_MILLIS = 2000;

    private OperatorCommand() {}

    static int run(CommandLine.Invocation invocation, PrintStream out, PrintStream err) {
        String pid = invocation.pid;
        try {
            String address = TargetJvm.localConnectorAddress(pid);
            JMXConnector connector;
            try {
                connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            } catch (MalformedURLException e) {
                throw new CommandException(
                        CommandLine.FAILED,
                        "wait-until: JVM " + pid + " gave an unusable JMX address " + address + ": " + e.getMessage());
            }
            try {
                MBeanServerConnection connection = connector.getMBeanServerConnection();
                awaitMBean(connection, pid);
                switch (invocation.action) {
                    case STATUS:
                        return status(connection, pid, out);
                    case TASKS:
                        return tasks(connection, pid, out, err);
                    default:
                        return drain(connection, pid, invocation.argument, out, err);
                }
            } finally {
                try {
                    connector.close();
                } catch (IOException e) {
                    // Closed with this process anyway.
                }
            }
        } catch (CommandException e) {
            err.println(e.getMessage());
            return e.exitCode();
        } catch (IOException e) {
            err.println("wait-until: the JMX connection to JVM " + pid + " failed: " + e
                    + (invocation.action == CommandLine.Action.DRAIN ? "; whether the drain ran is in its log" : ""));
            return CommandLine.FAILED;
        } catch (JMException e) {
            err.println("wait-until: JVM " + pid + " refused the request: " + e);
            return CommandLine.FAILED;
        } catch (RuntimeException e) { // RuntimeMBeanException: the MBean itself failed; its log has the rest
            err.println(
                    "wait-until: the request failed in JVM " + pid + ": " + (e.getCause() != null ? e.getCause() : e));
            return CommandLine.FAILED;
        }
    }

    private static void awaitMBean(MBeanServerConnection connection, String pid) throws IOException, CommandException {
        ObjectName name = JmxRegistration.objectName();
        long deadline = System.nanoTime() + MBEAN_WAIT_MILLIS * 1_000_000L;
        while (!connection.isRegistered(name)) {
            if (System.nanoTime() - deadline > 0) {
                throw new CommandException(
                        CommandLine.FAILED,
                        "wait-until: JVM " + pid + " does not run the wait-until"
                                + " agent (it has no MBean " + name
                                + "). Load it first: java -jar wait-until-agent.jar " + pid
                                + " [key=value,...], or start the JVM with -javaagent:/path/to/wait-until-agent.jar; if the agent"
                                + " is loaded, its log says why JMX is not available");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandException(CommandLine.FAILED, "wait-until: interrupted");
            }
        }
    }

    static int status(MBeanServerConnection connection, String pid, PrintStream out) throws IOException, JMException {
        AttributeList values = connection.getAttributes(JmxRegistration.objectName(), STATUS_ATTRIBUTES);
        out.println("wait-until in JVM " + pid);
        for (Object o : values) {
            Attribute a = (Attribute) o;
            if (a.getValue() instanceof CompositeData[]) {
                CompositeData[] applications = (CompositeData[]) a.getValue();
                if (applications.length == 0) {
                    out.println(String.format("%-20s %s", a.getName(), "none yet"));
                }
                for (int i = 0; i < applications.length; i++) {
                    out.println(String.format("%-20s %s", i == 0 ? a.getName() : "", application(applications[i])));
                }
            } else {
                out.println(String.format("%-20s %s", a.getName(), a.getValue()));
            }
        }
        return CommandLine.OK;
    }

    static int tasks(MBeanServerConnection connection, String pid, PrintStream out, PrintStream err)
            throws IOException, JMException {
        CompositeData[] tasks = (CompositeData[])
                connection.invoke(JmxRegistration.objectName(), "listPendingTasks", new Object[0], new String[0]);
        if (tasks.length == 0) {
            err.println("wait-until: no pending tasks in JVM " + pid);
        }
        for (CompositeData task : tasks) {
            out.println(task(task));
        }
        return CommandLine.OK;
    }

    static int drain(MBeanServerConnection connection, String pid, String application, PrintStream out, PrintStream err)
            throws IOException, JMException, CommandException {
        err.println("wait-until: draining " + (application == null ? "every application" : "application " + application)
                + " of JVM " + pid + "; this waits until the tasks have finished or the drain timeout has passed");
        String report;
        try {
            report = application == null
                    ? (String) connection.invoke(JmxRegistration.objectName(), "drainAll", new Object[0], new String[0])
                    : (String) connection.invoke(
                            JmxRegistration.objectName(), "drainApplication", new Object[] {application}, new String[] {
                                String.class.getName()
                            });
        } catch (RuntimeMBeanException e) {
            if (e.getCause() instanceof IllegalArgumentException) {
                throw new CommandException(CommandLine.USAGE, e.getCause().getMessage());
            }
            throw e;
        }
        out.println(report);
        return report.startsWith(WaitUntilMXBean.DRAIN_OK) ? CommandLine.OK : CommandLine.FAILED;
    }

    /** {@code /shop: 3 pending, 1 request(s) in flight, drained} */
    private static String application(CompositeData a) {
        return a.get("name") + ": " + a.get("pending") + " pending, " + a.get("requestsInFlight")
                + " request(s) in flight"
                + (Boolean.TRUE.equals(a.get("drained")) ? ", drained (rejects new tasks)" : "");
    }

    /** As the log names a task: {@code 'label' (age 1234 ms, request GET /shop/cart, application /shop)} */
    static String task(CompositeData t) {
        String request = (String) t.get("request");
        String application = (String) t.get("application");
        return "'" + t.get("label") + "' (age " + t.get("ageMillis") + " ms"
                + (request == null || request.isEmpty() ? "" : ", request " + request)
                + (WaitUntilMXBean.JVM_SCOPE.equals(application) ? ", no application" : ", application " + application)
                + ")";
    }
}
