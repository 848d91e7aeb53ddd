package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user programs the integration tests run, as source. They are compiled with {@code --release 8}
 * against the API jar alone, as a user's application would be. Each prints marker lines; a marker
 * that ends in {@code @<millis>} carries the program's own {@code System.currentTimeMillis()}, so
 * that the tests compare times without depending on how fast the output pipe is read.
 */
public final class Programs {

    private Programs() {}

    /**
     * {@code app.SleepingJob <label> <millis>}: hands a task that sleeps {@code millis} to
     * {@code WaitUntil.run(label, ...)}, waits until it has started, and returns from {@code main}.
     */
    public static final String SLEEPING_JOB = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.util.concurrent.CountDownLatch;

            public class SleepingJob {
                public static void main(String[] args) throws Exception {
                    final String label = args[0];
                    final long millis = Long.parseLong(args[1]);
                    final CountDownLatch started = new CountDownLatch(1);
                    System.out.println("AGENT ACTIVE " + WaitUntil.isAgentActive());
                    WaitUntil.run(label, () -> {
                        System.out.println("TASK STARTED @" + System.currentTimeMillis());
                        started.countDown();
                        try {
                            Thread.sleep(millis);
                        } catch (InterruptedException e) {
                            System.out.println("TASK INTERRUPTED @" + System.currentTimeMillis());
                            return;
                        }
                        System.out.println("TASK DONE @" + System.currentTimeMillis());
                    });
                    started.await();
                    System.out.println("PENDING " + WaitUntil.pending());
                    System.out.println("MAIN RETURNED @" + System.currentTimeMillis());
                }
            }
            """;

    /**
     * {@code app.DaemonJob plain|register}: starts a 2-second task with {@code CompletableFuture.runAsync}
     * on a daemon thread of its own; with {@code register} hands the future to
     * {@code WaitUntil.register(...)}, with {@code plain} does not touch wait-until at all.
     * (Not the common pool: on a one-processor machine that runs tasks on non-daemon threads.)
     */
    public static final String DAEMON_JOB = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;

            public class DaemonJob {
                public static void main(String[] args) throws Exception {
                    boolean register = args[0].equals("register");
                    ExecutorService daemons = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, "app-daemon");
                        t.setDaemon(true);
                        return t;
                    });
                    final CountDownLatch started = new CountDownLatch(1);
                    CompletableFuture<Void> task = CompletableFuture.runAsync(() -> {
                        System.out.println("TASK STARTED @" + System.currentTimeMillis());
                        started.countDown();
                        try {
                            Thread.sleep(2000);
                        } catch (InterruptedException e) {
                            System.out.println("TASK INTERRUPTED @" + System.currentTimeMillis());
                            return;
                        }
                        System.out.println("TASK DONE @" + System.currentTimeMillis());
                    }, daemons);
                    if (register) {
                        WaitUntil.register(task);
                        System.out.println("REGISTERED, PENDING " + WaitUntil.pending());
                    }
                    started.await();
                    System.out.println("MAIN RETURNED @" + System.currentTimeMillis());
                }
            }
            """;

    /**
     * {@code app.TwoCopies <api jar>}: loads two copies of the API, each in its own class loader whose
     * parent is the bootstrap loader, registers 3 tasks through copy A (with A's loader as the context
     * class loader) and 5 through copy B, prints what each copy sees, then lets the tasks finish.
     */
    public static final String TWO_COPIES = """
            package app;

            import java.io.File;
            import java.lang.reflect.InvocationTargetException;
            import java.lang.reflect.Method;
            import java.net.URL;
            import java.net.URLClassLoader;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.ExecutorService;
            import java.util.concurrent.Executors;
            import java.util.concurrent.TimeUnit;

            public class TwoCopies {
                public static void main(String[] args) throws Exception {
                    URL api = new File(args[0]).toURI().toURL();
                    URLClassLoader loaderA = new URLClassLoader(new URL[] {api}, null);
                    URLClassLoader loaderB = new URLClassLoader(new URL[] {api}, null);
                    Class<?> a = loaderA.loadClass("dev.waituntil.WaitUntil");
                    Class<?> b = loaderB.loadClass("dev.waituntil.WaitUntil");
                    System.out.println("DISTINCT COPIES " + (a != b && a.getClassLoader() == loaderA
                            && b.getClassLoader() == loaderB));

                    ExecutorService pool = Executors.newCachedThreadPool(r -> {
                        Thread t = new Thread(r, "app-worker");
                        t.setDaemon(true);
                        return t;
                    });
                    CountDownLatch release = new CountDownLatch(1);
                    List<CompletableFuture<Void>> tasks = new ArrayList<>();
                    register(a, loaderA, "A", 3, release, pool, tasks);
                    register(b, loaderB, "B", 5, release, pool, tasks);

                    System.out.println("PENDING A " + call(a, loaderA, "pending"));
                    System.out.println("PENDING B " + call(b, loaderB, "pending"));
                    System.out.println("PENDING A UNDER SYSTEM LOADER "
                            + call(a, ClassLoader.getSystemClassLoader(), "pending"));
                    System.out.println("ACTIVE A " + call(a, loaderA, "isAgentActive"));
                    System.out.println("ACTIVE B " + call(b, loaderB, "isAgentActive"));

                    release.countDown();
                    CompletableFuture.allOf(tasks.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
                    // The tracker's completion callback may run just after allOf sees the futures done.
                    System.out.println("PENDING A AFTER " + awaitZero(a, loaderA));
                    System.out.println("PENDING B AFTER " + awaitZero(b, loaderB));
                    System.out.println("MAIN RETURNED");
                }

                static void register(Class<?> api, ClassLoader context, String copy, int count, CountDownLatch release,
                                     ExecutorService pool, List<CompletableFuture<Void>> tasks) throws Exception {
                    Method register = api.getMethod("register", String.class, CompletableFuture.class);
                    for (int i = 1; i <= count; i++) {
                        CompletableFuture<Void> task = CompletableFuture.runAsync(() -> {
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }, pool);
                        tasks.add(task);
                        call(register, context, "copy " + copy + " task " + i, task);
                    }
                }

                static Object call(Class<?> api, ClassLoader context, String method) throws Exception {
                    return call(api.getMethod(method), context);
                }

                static Object call(Method method, ClassLoader context, Object... args) throws Exception {
                    Thread thread = Thread.currentThread();
                    ClassLoader previous = thread.getContextClassLoader();
                    thread.setContextClassLoader(context);
                    try {
                        return method.invoke(null, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                    } finally {
                        thread.setContextClassLoader(previous);
                    }
                }

                static int awaitZero(Class<?> api, ClassLoader context) throws Exception {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    int pending;
                    while ((pending = (Integer) call(api, context, "pending")) != 0 && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    return pending;
                }
            }
            """;

    /**
     * {@code app.CancelJob}: starts a 30-second task with {@code WaitUntil.run}, cancels the returned
     * future with {@code cancel(true)} and reports whether the task was interrupted (the API's
     * documentation of {@code run}: "Cancelling the returned future ... interrupts the task"), and whether it
     * ended within 20 s: before its 30 s, with room for a loaded machine.
     */
    public static final String CANCEL_JOB = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.util.concurrent.CompletableFuture;
            import java.util.concurrent.CountDownLatch;
            import java.util.concurrent.TimeUnit;

            public class CancelJob {
                public static void main(String[] args) throws Exception {
                    final CountDownLatch started = new CountDownLatch(1);
                    final CountDownLatch ended = new CountDownLatch(1);
                    CompletableFuture<Void> task = WaitUntil.run("cancel me", () -> {
                        started.countDown();
                        try {
                            Thread.sleep(30000);
                            System.out.println("TASK DONE");
                        } catch (InterruptedException e) {
                            System.out.println("TASK INTERRUPTED");
                        } finally {
                            ended.countDown();
                        }
                    });
                    started.await();
                    System.out.println("CANCEL RETURNED " + task.cancel(true));
                    System.out.println("TASK ENDED WITHIN 20 S " + ended.await(20, TimeUnit.SECONDS));
                    System.out.println("PENDING " + WaitUntil.pending());
                    System.out.println("MAIN RETURNED");
                }
            }
            """;

    /**
     * {@code app.LateAttach}: starts without the agent and registers an early task (standalone mode),
     * prints its pid, waits up to 60 s for the agent to be attached from outside, then hands a
     * 1-second task to {@code WaitUntil.run} and returns from {@code main}.
     */
    /**
     * {@code app.HostileInput}: gives the API what no caller should: {@code null}s, and a label of 1 MB that
     * starts with a line break, a carriage return, a NUL and an ANSI escape, on a task that fails (so the agent
     * logs the label). Prints how each call ended: {@code NULL <call> -> <exception>: <message>}.
     */
    public static final String HOSTILE_INPUT = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.util.concurrent.CompletableFuture;

            public class HostileInput {
                public static void main(String[] args) throws Exception {
                    System.out.println("AGENT ACTIVE " + WaitUntil.isAgentActive());
                    attempt("register(null)", () -> WaitUntil.register((CompletableFuture<Void>) null));
                    attempt("run(label, null)", () -> WaitUntil.run("x", null));
                    attempt("supply(label, null)", () -> WaitUntil.supply("x", null));
                    StringBuilder label = new StringBuilder("evil\\nINJECTED LINE\\r\\u0000\\u001b[31m");
                    while (label.length() < 1_000_000) {
                        label.append("0123456789");
                    }
                    CompletableFuture<Void> failing = WaitUntil.run(label.toString(), () -> {
                        throw new IllegalStateException("failed on purpose");
                    });
                    try {
                        failing.join();
                    } catch (RuntimeException expected) {
                        System.out.println("TASK FAILED AS ASKED");
                    }
                    WaitUntil.run(null, () -> System.out.println("NULL LABEL TASK RAN")).join(); // before PENDING below
                    CompletableFuture<Void> plain = new CompletableFuture<>();
                    WaitUntil.register(label.toString(), plain);
                    plain.complete(null);
                    // A run task's record ends just after the future that join() waits for: bounded, not timed.
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (WaitUntil.pending() > 0 && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    System.out.println("PENDING " + WaitUntil.pending());
                }

                private static void attempt(String call, Runnable body) {
                    try {
                        body.run();
                        System.out.println("NULL " + call + " -> accepted");
                    } catch (RuntimeException e) {
                        System.out.println("NULL " + call + " -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                }
            }
            """;

    public static final String LATE_ATTACH = """
            package app;

            import dev.waituntil.WaitUntil;
            import java.lang.management.ManagementFactory;
            import java.util.concurrent.CompletableFuture;

            public class LateAttach {
                public static void main(String[] args) throws Exception {
                    CompletableFuture<Void> early = new CompletableFuture<Void>();
                    WaitUntil.register("early", early);
                    System.out.println("AGENT ACTIVE " + WaitUntil.isAgentActive());
                    System.out.println("PID " + ManagementFactory.getRuntimeMXBean().getName().split("@")[0]);
                    long deadline = System.currentTimeMillis() + 60000;
                    while (!WaitUntil.isAgentActive() && System.currentTimeMillis() < deadline) {
                        Thread.sleep(20);
                    }
                    System.out.println("AGENT ACTIVE " + WaitUntil.isAgentActive());
                    System.out.println("PENDING WITH EARLY " + WaitUntil.pending());
                    early.complete(null);
                    WaitUntil.run("late job", () -> {
                        System.out.println("TASK STARTED @" + System.currentTimeMillis());
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            System.out.println("TASK INTERRUPTED");
                            return;
                        }
                        System.out.println("TASK DONE @" + System.currentTimeMillis());
                    });
                    System.out.println("PENDING " + WaitUntil.pending());
                    System.out.println("MAIN RETURNED @" + System.currentTimeMillis());
                }
            }
            """;

    /** Compiles every program into {@code <it.workDir>/<name>/classes} against the API jar alone. */
    public static Path compileAll(String name) throws IOException {
        Path classes = ItEnvironment.freshWorkDir(name).resolve("classes");
        return JavaSources.compile(
                classes,
                List.of(ItEnvironment.apiJar()),
                SLEEPING_JOB,
                DAEMON_JOB,
                TWO_COPIES,
                CANCEL_JOB,
                LATE_ATTACH,
                HOSTILE_INPUT);
    }

    private static final Pattern STAMP = Pattern.compile("@(\\d+)\\s*$");

    /** The {@code @<millis>} time stamp of the first line that contains {@code marker}, if any. */
    public static OptionalLong stamp(JavaProcess process, String marker) {
        return process.firstLineContaining(marker)
                .map(line -> {
                    Matcher m = STAMP.matcher(line.text());
                    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
                })
                .orElse(OptionalLong.empty());
    }
}
