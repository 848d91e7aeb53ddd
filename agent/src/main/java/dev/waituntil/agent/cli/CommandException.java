package dev.waituntil.agent.cli;

/** A command that cannot go on: the message names the problem and the fix; the exit code says which kind. */
final class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CommandException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
