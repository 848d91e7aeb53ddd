package dev.waituntil.agent.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Makes the runtime's own threads (workers, the watchdog) so that they keep nothing of the thread that happens to
 * create them. Most are made at the agent's start, outside any application; some later, on an application's thread
 * (settings given at an application's start, a worker replaced): there, a thread would inherit the application's
 * inheritable thread-locals, and through them keep its class loader alive after an undeploy. JDK 9 and later can
 * refuse the inheritance; on JDK 8 the thread inherits them.
 */
final class AgentThreads {

    /** {@code Thread(ThreadGroup, Runnable, String, long, boolean inheritThreadLocals)}, JDK 9+; null on 8. */
    private static final MethodHandle WITHOUT_INHERITANCE = find();

    private AgentThreads() {}

    private static MethodHandle find() {
        try {
            return MethodHandles.publicLookup()
                    .findConstructor(
                            Thread.class,
                            MethodType.methodType(
                                    void.class,
                                    ThreadGroup.class,
                                    Runnable.class,
                                    String.class,
                                    long.class,
                                    boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** A daemon thread named {@code name}, its context class loader the agent's, inheriting no thread-local. */
    static Thread newThread(Runnable body, String name) {
        Thread thread = null;
        if (WITHOUT_INHERITANCE != null) {
            try {
                thread = (Thread) WITHOUT_INHERITANCE.invoke((ThreadGroup) null, body, name, 0L, false);
            } catch (Throwable e) {
                thread = null;
            }
        }
        if (thread == null) {
            thread = new Thread(body, name);
        }
        thread.setDaemon(true);
        thread.setContextClassLoader(AgentThreads.class.getClassLoader());
        return thread;
    }
}
