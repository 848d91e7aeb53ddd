package dev.waituntil.agent.instrumentation;

/**
 * A class that {@link HookTransformer}'s warm-up instruments in memory, never loaded as instrumented: it makes Byte
 * Buddy load and initialize what instrumenting a class takes, off the thread that starts the application.
 */
final class WarmUpTarget {

    private WarmUpTarget() {}

    void service(Object request, Object response) {
        if (request == response) {
            throw new IllegalArgumentException();
        }
    }
}
