package dev.waituntil.agent;

import java.io.File;
import java.io.PrintStream;

import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar wait-until-agent.jar <pid> [key=value,...]}: loads this agent into a running JVM.
 * The arguments after the pid are agent arguments, as after {@code =} in {@code -javaagent}.
 */
final class AttachCommand {

    private AttachCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args.length > 2 || args[0].equals("-h") || args[0].equals("--help")) {
            err.println("usage: java -jar wait-until-agent.jar <pid> [key=value,...]");
            err.println("  loads the wait-until agent into the running JVM <pid> (list them with: jps -l)");
            err.println("  settings, e.g.: drain.timeout=10s,debug=true");
            return args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")) ? 0 : 2;
        }
        String pid = args[0].trim();
        if (!pid.matches("\\d+")) {
            err.println("wait-until: '" + pid + "' is not a process id; usage: java -jar wait-until-agent.jar <pid> [key=value,...]");
            return 2;
        }
        File jar;
        try {
            jar = WaitUntilAgent.agentJar();
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return 1;
        }
        try {
            ByteBuddyAgent.attach(jar, pid, args.length == 2 ? args[1] : null);
        } catch (RuntimeException e) {
            err.println("wait-until: could not attach to JVM " + pid + ": " + e.getMessage()
                    + " (the target must run on a JDK, as the same user, and allow attach: no -XX:+DisableAttachMechanism)");
            return 1;
        }
        out.println("wait-until: agent loaded into JVM " + pid + "; its log says which settings are in force");
        return 0;
    }
}
