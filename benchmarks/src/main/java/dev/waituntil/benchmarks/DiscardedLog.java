package dev.waituntil.benchmarks;

import java.io.OutputStream;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * For benchmarks that make the agent log a great deal: {@code java.util.logging}'s root handlers (the agent logs
 * through them) are replaced by one that formats every record, as a console or file handler would, and writes it
 * nowhere. The formatting is measured; the I/O, which depends on where a server's log goes, is not.
 */
@State(Scope.Benchmark)
public class DiscardedLog {

    private Handler[] saved;
    private Handler discarding;

    @Setup(Level.Trial)
    public void discard() {
        Logger root = LogManager.getLogManager().getLogger("");
        saved = root.getHandlers();
        for (Handler h : saved) {
            root.removeHandler(h);
        }
        discarding = new StreamHandler(OutputStream.nullOutputStream(), new SimpleFormatter()) {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        root.addHandler(discarding);
    }

    @TearDown(Level.Trial)
    public void restore() {
        Logger root = LogManager.getLogManager().getLogger("");
        root.removeHandler(discarding);
        for (Handler h : saved) {
            root.addHandler(h);
        }
    }
}
