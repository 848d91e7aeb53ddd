package dev.waituntil;

import java.util.concurrent.TimeUnit;

/**
 * For the tests of modules built on the API: a fresh standalone runtime in place of the one in force, so that each
 * test starts from zero counts, and its drain, which otherwise only the JVM's exit or an application's teardown
 * starts. In the API's package because both are package-private there: a test-only door, not API.
 */
public final class StandaloneRuntime implements AutoCloseable {

    private final Backend previous;
    private final StandaloneBackend backend;

    private StandaloneRuntime() {
        previous = WaitUntil.backend();
        backend = new StandaloneBackend(false);
        WaitUntil.use(backend);
    }

    /**
     * Puts a fresh standalone runtime in force until {@link #close()}.
     *
     * @return the handle that drains it and puts the previous runtime back
     */
    public static StandaloneRuntime install() {
        return new StandaloneRuntime();
    }

    /** Drains it as the JVM's exit would, waiting up to a minute. */
    public void drain() {
        backend.drain(TimeUnit.SECONDS.toNanos(60), "the test drains it");
    }

    @Override
    public void close() {
        backend.drain(0);
        WaitUntil.use(previous);
    }
}
