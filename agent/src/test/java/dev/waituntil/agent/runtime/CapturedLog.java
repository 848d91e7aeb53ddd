package dev.waituntil.agent.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What the agent logs (SLF4J → java.util.logging), collected for assertions. */
public final class CapturedLog extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.waituntil.agent");
    private final List<LogRecord> records = new ArrayList<>();

    public CapturedLog() {
        logger.addHandler(this);
    }

    public synchronized List<LogRecord> records() {
        return new ArrayList<>(records);
    }

    /** Messages with their SLF4J {} placeholders filled in. */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            out.add(r.getMessage());
        }
        return out;
    }

    /** The messages logged at WARNING or above. */
    public synchronized List<String> warnings() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                out.add(r.getMessage());
            }
        }
        return out;
    }

    public List<String> linesContaining(String text) {
        List<String> out = new ArrayList<>();
        for (String line : lines()) {
            if (line.contains(text)) {
                out.add(line);
            }
        }
        return out;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
