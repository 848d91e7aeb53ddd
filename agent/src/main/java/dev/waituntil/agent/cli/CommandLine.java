package dev.waituntil.agent.cli;

import java.io.PrintStream;

/**
 * {@code java -jar wait-until-agent.jar ...}: reads the arguments and runs the command they name.
 * Every error names the problem and the fix; the exit code says which kind (see {@link #usage()}).
 */
public final class CommandLine {

    static final int OK = 0;
    /** The command failed, or a drain left tasks pending. */
    static final int FAILED = 1;

    static final int USAGE = 2;

    enum Action {
        HELP,
        ATTACH,
        STATUS,
        TASKS,
        DRAIN
    }

    /** What the arguments ask for. */
    static final class Invocation {
        final Action action;
        final String pid;
        /** For ATTACH the agent arguments, for DRAIN the application; null when not given. */
        final String argument;

        Invocation(Action action, String pid, String argument) {
            this.action = action;
            this.pid = pid;
            this.argument = argument;
        }
    }

    private CommandLine() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Invocation invocation;
        try {
            invocation = parse(args);
        } catch (CommandException e) {
            err.println(e.getMessage());
            err.println(usage());
            return e.exitCode();
        }
        switch (invocation.action) {
            case HELP:
                out.println(usage());
                return OK;
            case ATTACH:
                return AttachCommand.run(invocation.pid, invocation.argument, out, err);
            default:
                return OperatorCommand.run(invocation, out, err);
        }
    }

    static Invocation parse(String[] args) throws CommandException {
        if (args.length == 0) {
            throw usageError("no process id given");
        }
        String first = args[0].trim();
        if (args.length == 1 && (first.equals("-h") || first.equals("--help") || first.equals("help"))) {
            return new Invocation(Action.HELP, null, null);
        }
        if (!isPid(first)) {
            if (args.length > 1 && isPid(args[1].trim())) {
                throw usageError(
                        "the process id comes first: java -jar wait-until-agent.jar " + args[1].trim() + " " + first);
            }
            throw usageError("'" + first + "' is not a process id");
        }
        if (args.length == 1) {
            return new Invocation(Action.ATTACH, first, null);
        }
        String command = args[1].trim();
        if (command.equals("status") || command.equals("tasks")) {
            expectAtMost(args, 2, command + " takes no arguments");
            return new Invocation(command.equals("status") ? Action.STATUS : Action.TASKS, first, null);
        }
        if (command.equals("drain")) {
            expectAtMost(args, 3, "drain takes one application at most");
            String application = args.length == 3 ? args[2].trim() : null;
            if (application != null && application.isEmpty()) {
                throw usageError(
                        "an empty application name; give its context path (/shop), or none to drain everything");
            }
            return new Invocation(Action.DRAIN, first, application);
        }
        if (command.contains("=")) {
            expectAtMost(
                    args, 2, "give the settings as one argument, separated by commas: drain.timeout=10s,debug=true");
            return new Invocation(Action.ATTACH, first, args[1]);
        }
        throw usageError("unknown command '" + command + "'");
    }

    private static boolean isPid(String text) {
        return text.matches("\\d{1,10}");
    }

    private static void expectAtMost(String[] args, int count, String why) throws CommandException {
        if (args.length > count) {
            throw usageError("too many arguments: " + why);
        }
    }

    private static CommandException usageError(String problem) {
        return new CommandException(USAGE, "wait-until: " + problem);
    }

    static String usage() {
        return "usage: java -jar wait-until-agent.jar <pid> [key=value,...]  load the agent into the running JVM <pid>\n"
                + "       java -jar wait-until-agent.jar <pid> status           its counters, applications and settings\n"
                + "       java -jar wait-until-agent.jar <pid> tasks            its pending tasks, oldest first\n"
                + "       java -jar wait-until-agent.jar <pid> drain [<app>]    drain one application (its context path,\n"
                + "                                                             e.g. /shop), or everything; waits for the\n"
                + "                                                             tasks, then the application rejects new ones\n"
                + "  <pid>: see jps -l; in a container the JVM is usually 1\n"
                + "  settings when loading, e.g.: drain.timeout=10s,debug=true\n"
                + "  needs a JDK (the attach API, module jdk.attach) and the user the JVM runs as\n"
                + "  exit code: 0 done (drain: every task finished), 1 failed (drain: tasks left at the deadline), 2 usage";
    }
}
