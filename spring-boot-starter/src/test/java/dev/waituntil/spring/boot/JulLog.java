package dev.waituntil.spring.boot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The lines logged through java.util.logging while open, where both the runtime's standalone mode and Spring's
 * logging (with no other logging library on the test class path) write. Output capture would miss them: the JDK's
 * console handler keeps the System.err it found when it was made.
 */
final class JulLog extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");

    JulLog() {
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + record.getMessage());
    }

    List<String> lines() {
        return lines;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
