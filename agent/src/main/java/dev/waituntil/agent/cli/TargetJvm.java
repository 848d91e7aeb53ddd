package dev.waituntil.agent.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import net.bytebuddy.agent.ByteBuddyAgent.AttachmentProvider;

/**
 * The JVM a command talks to, reached through the JDK's attach API ({@code com.sun.tools.attach}).
 * The agent is compiled for Java 8, where that API is not on the class path but in the JDK's
 * {@code lib/tools.jar}, and from Java 9 on it is the module {@code jdk.attach}: Byte Buddy finds it
 * in either place, and it is called by reflection.
 */
final class TargetJvm {

    static final String ATTACH_NEEDS = "(the target must run on a JDK or JRE with attach enabled, as the same user as"
            + " this command: no -XX:+DisableAttachMechanism; a JVM that has just started may need a moment)";

    /** The JDK's own attach API only: Byte Buddy's emulation needs JNA, which we do not bundle. */
    private static final AttachmentProvider JDK_ATTACH_API = new AttachmentProvider.Compound(
            AttachmentProvider.ForModularizedVm.INSTANCE,
            AttachmentProvider.ForJ9Vm.INSTANCE,
            AttachmentProvider.ForStandardToolsJarVm.JVM_ROOT,
            AttachmentProvider.ForStandardToolsJarVm.JDK_ROOT,
            AttachmentProvider.ForStandardToolsJarVm.MACINTOSH,
            AttachmentProvider.ForUserDefinedToolsJar.INSTANCE);

    private TargetJvm() {}

    /** {@code com.sun.tools.attach.VirtualMachine}, or a clear error when this runtime has no attach API. */
    static Class<?> virtualMachineType() throws CommandException {
        AttachmentProvider.Accessor accessor = JDK_ATTACH_API.attempt();
        if (!accessor.isAvailable()) {
            throw new CommandException(
                    CommandLine.FAILED,
                    "wait-until: this Java runtime (" + System.getProperty("java.home")
                            + ", Java " + System.getProperty("java.version")
                            + ") has no attach API: it is the module jdk.attach of"
                            + " a JDK (lib/tools.jar on Java 8). Run this command with a JDK's java, or build the image's runtime"
                            + " with jlink --add-modules jdk.attach");
        }
        return accessor.getVirtualMachineType();
    }

    /**
     * On Linux, names the two usual mistakes before the attach API does, more vaguely and after a
     * timeout: a process that does not exist, and one of another user. Elsewhere it checks nothing.
     */
    static void checkProcess(String pid) throws CommandException {
        Path self = Paths.get("/proc/self");
        if (!Files.isDirectory(self)) {
            return;
        }
        Path target = Paths.get("/proc", pid);
        if (!Files.isDirectory(target)) {
            throw new CommandException(
                    CommandLine.FAILED,
                    "wait-until: there is no process " + pid + " (list the JVMs"
                            + " with jps -l; in a container the JVM is usually pid 1)");
        }
        try {
            int targetUid = (Integer) Files.getAttribute(target, "unix:uid");
            int ownUid = (Integer) Files.getAttribute(self, "unix:uid");
            if (targetUid != ownUid && ownUid != 0) {
                String owner = Files.getOwner(target).getName();
                throw new CommandException(
                        CommandLine.FAILED,
                        "wait-until: process " + pid + " runs as user " + owner
                                + " (uid " + targetUid + "), this command as " + System.getProperty("user.name")
                                + " (uid " + ownUid
                                + "); the attach API connects processes of the same user only. Run it as that user, e.g. sudo -u "
                                + owner + " java -jar wait-until-agent.jar " + pid + " ...");
            }
        } catch (IOException | RuntimeException e) {
            // Cannot tell here; the attach API will say what is wrong.
        }
    }

    /**
     * Attaches to {@code pid} and starts its local JMX connector, as {@code jcmd <pid> ManagementAgent.start_local}
     * does (loopback only, no port to open; a connector already running is reused), and returns its address.
     */
    static String localConnectorAddress(String pid) throws CommandException {
        checkProcess(pid);
        Class<?> type = virtualMachineType();
        Object vm;
        try {
            vm = type.getMethod("attach", String.class).invoke(null, pid);
        } catch (InvocationTargetException e) {
            throw new CommandException(
                    CommandLine.FAILED,
                    "wait-until: could not attach to JVM " + pid + ": " + describe(e.getCause()) + " " + ATTACH_NEEDS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CommandException(
                    CommandLine.FAILED, "wait-until: the attach API of this runtime cannot be used: " + e);
        }
        try {
            Method start = type.getMethod("startLocalManagementAgent");
            return (String) start.invoke(vm);
        } catch (NoSuchMethodException e) {
            throw new CommandException(
                    CommandLine.FAILED,
                    "wait-until: the attach API of this runtime (" + type.getName()
                            + ") cannot start a JMX connector; run the command with a Java 8 or newer JDK");
        } catch (InvocationTargetException e) {
            throw new CommandException(
                    CommandLine.FAILED,
                    "wait-until: JVM " + pid + " did not start its local JMX" + " connector: " + describe(e.getCause())
                            + " (its module java.management may be missing)");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CommandException(
                    CommandLine.FAILED, "wait-until: could not start the JMX connector of JVM " + pid + ": " + e);
        } finally {
            try {
                type.getMethod("detach").invoke(vm);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // The connection ends with this process anyway.
            }
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
