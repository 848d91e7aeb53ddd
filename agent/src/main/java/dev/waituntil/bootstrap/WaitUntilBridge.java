package dev.waituntil.bootstrap;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The rendezvous of every copy of the API with the one runtime of the agent. The agent appends this
 * package to the bootstrap class path, so this class exists once per JVM and is visible from every
 * class loader; the API finds it by name in the bootstrap loader and binds method handles to these
 * static methods. Their signatures are the contract between API and agent versions: change them
 * only by adding.
 */
public final class WaitUntilBridge {

    private static volatile BridgeTarget target;

    private WaitUntilBridge() {}

    /** Called once by the agent when its runtime is ready. */
    public static void install(BridgeTarget runtime) {
        target = runtime;
    }

    public static boolean isInstalled() {
        return target != null;
    }

    public static void register(String label, Object task) {
        target().register(label, task);
    }

    public static CompletableFuture<Void> run(String label, Runnable task) {
        return target().run(label, task);
    }

    public static CompletableFuture<?> supply(String label, Callable<?> task) {
        return target().supply(label, task);
    }

    public static int pending() {
        return target().pending();
    }

    private static BridgeTarget target() {
        BridgeTarget t = target;
        if (t == null) {
            throw new IllegalStateException("wait-until: the agent's runtime is not installed yet");
        }
        return t;
    }
}
