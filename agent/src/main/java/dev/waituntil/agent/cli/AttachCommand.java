package dev.waituntil.agent.cli;

import dev.waituntil.agent.bridge.AgentJar;
import java.io.File;
import java.io.PrintStream;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar wait-until-agent.jar <pid> [key=value,...]}: loads this agent into a running JVM.
 * The arguments after the pid are agent arguments, as after {@code =} in {@code -javaagent}.
 */
final class AttachCommand {

    private AttachCommand() {}

    static int run(String pid, String agentArguments, PrintStream out, PrintStream err) {
        File jar;
        try {
            TargetJvm.checkProcess(pid);
            TargetJvm.virtualMachineType();
            jar = AgentJar.locate();
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return CommandLine.FAILED;
        } catch (CommandException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        try {
            ByteBuddyAgent.attach(jar, pid, agentArguments);
        } catch (RuntimeException e) {
            err.println("wait-until: could not attach to JVM " + pid + ": " + e.getMessage() + " "
                    + TargetJvm.ATTACH_NEEDS);
            return CommandLine.FAILED;
        }
        out.println("wait-until: agent loaded into JVM " + pid + "; its log says which settings are in force");
        return CommandLine.OK;
    }
}
