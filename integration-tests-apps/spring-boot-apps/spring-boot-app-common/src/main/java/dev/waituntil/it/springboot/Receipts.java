package dev.waituntil.it.springboot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The bean the background work uses, standing for a mailer or a repository whose resources Spring closes
 * when the context shuts down. Every event is one line appended to the file given by
 * {@code --receipts.file=...}; the order of the lines is the order of the events (one JVM, one lock):
 *
 * <ul>
 * <li>{@code DONE <label> <millis>}: a task finished its work and used this bean;</li>
 * <li>{@code BEAN-DESTROYED <millis>}: Spring destroyed this bean ({@link DisposableBean#destroy()});</li>
 * <li>{@code USED-AFTER-DESTROY <label> <millis>}: a task used this bean after that; the call then throws,
 *     as a closed connection pool would;</li>
 * <li>{@code INTERRUPTED <label> <millis>}: a task's sleep was interrupted (cancelled at a drain deadline);</li>
 * <li>{@code REQUEST <label> <millis>}: a request for the task {@code label} reached the controller, before it
 *     registered anything;</li>
 * <li>{@code SLOW-STARTED}, {@code SLOW-REGISTERED}, {@code SLOW-REJECTED}: the request kept in flight.</li>
 * </ul>
 *
 * Each line is also printed on standard output, prefixed {@code it-app | }, so that it shows in the
 * application's log between Spring's and the agent's lines.
 */
@Component
public class Receipts implements DisposableBean {

    private final Path file;
    private volatile boolean destroyed;

    public Receipts(@Value("${receipts.file}") String file) {
        this.file = Path.of(file).toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    /** What the work does last: record its receipt. Fails loudly once Spring has destroyed this bean. */
    public void done(String label) {
        if (destroyed) {
            event("USED-AFTER-DESTROY " + label);
            throw new IllegalStateException("Receipts used after Spring destroyed it (task '" + label + "')");
        }
        event("DONE " + label);
    }

    @Override
    public void destroy() {
        destroyed = true;
        event("BEAN-DESTROYED");
    }

    /** Appends {@code text <currentTimeMillis>} as one line. */
    synchronized void event(String text) {
        String line = text + " " + System.currentTimeMillis();
        try {
            Files.writeString(
                    file,
                    line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        System.out.println("it-app | " + line);
    }
}
