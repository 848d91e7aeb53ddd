package dev.waituntil.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.TestConfigs;
import dev.waituntil.agent.hook.HookPoint;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The groups of hook points ({@code servlet}, {@code tomcat}, {@code jetty}, {@code spring}), each switched by
 * {@code waituntil.instrumentation.<group>.enabled}; and what each group inlines into the real containers' classes.
 */
class InstrumentationGroupsTest {

    private static final String[] GROUPS = {"servlet", "tomcat", "jetty", "spring", "capture"};

    private static String groupOf(HookPoint point) {
        String pkg = point.getClass().getPackage().getName();
        return pkg.substring(pkg.lastIndexOf('.') + 1);
    }

    @Test
    void byDefaultEveryGroupIsInstalled() {
        List<HookPoint> points = Instrumenter.hookPoints(Config.defaults());
        assertEquals(39, points.size(), names(points).toString());
        assertEquals(names(Instrumenter.hookPoints()), names(points));
        assertEquals(
                List.of(GROUPS),
                points.stream()
                        .map(InstrumentationGroupsTest::groupOf)
                        .distinct()
                        .collect(Collectors.toList()),
                "every group, in this order");
        assertEquals(List.of(), Instrumenter.disabledGroups(Config.defaults()));
    }

    @ParameterizedTest
    @CsvSource({"servlet, 12", "tomcat, 5", "jetty, 3", "spring, 1", "capture, 18"})
    void aGroupSwitchedOffHasNoneOfItsHookPointsInstalledAndTheOthersAllOfTheirs(String group, int itsPoints) {
        Config config = TestConfigs.of("instrumentation." + group + ".enabled=false");
        List<HookPoint> points = Instrumenter.hookPoints(config);

        assertEquals(39 - itsPoints, points.size(), names(points).toString());
        assertTrue(
                points.stream().noneMatch(p -> groupOf(p).equals(group)),
                names(points).toString());
        assertEquals(
                Instrumenter.hookPoints().stream()
                        .filter(p -> !groupOf(p).equals(group))
                        .map(HookPoint::name)
                        .collect(Collectors.toList()),
                names(points));
        assertEquals(List.of(group), Instrumenter.disabledGroups(config), "named in the start-up log");
    }

    @Test
    void everyGroupSwitchedOffLeavesNothingToInstall() {
        Config config = TestConfigs.of(
                "instrumentation.servlet.enabled=false",
                "instrumentation.tomcat.enabled=false",
                "instrumentation.jetty.enabled=false",
                "instrumentation.spring.enabled=false",
                "instrumentation.capture.enabled=false");
        assertEquals(List.of(), Instrumenter.hookPoints(config));
        assertEquals(List.of(GROUPS), Instrumenter.disabledGroups(config));
    }

    /** What the advice of each container hook point calls, inlined into the container's own class. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "org.apache.catalina.core.StandardServer | tomcat | startInternal()V -> ContainerHooks.serverStarting, "
                        + "stopInternal()V -> ContainerHooks.tomcatServerStopping",
                "org.apache.catalina.core.ContainerBase | tomcat | "
                        + "stopInternal()V -> ContainerHooks.tomcatContainerStopping",
                "org.apache.catalina.core.StandardContext | tomcat | stopInternal()V -> ContainerHooks.tomcatContextStopping, "
                        + "stopInternal()V -> ContainerHooks.tomcatContextStopped",
                "org.apache.catalina.core.ContainerBase$ContainerBackgroundProcessor | tomcat | "
                        + "processChildren(Lorg/apache/catalina/Container;)V "
                        + "-> ContainerHooks.tomcatBackgroundProcessPassesOver",
                "org.eclipse.jetty.server.Server | jetty | doStart()V -> ContainerHooks.serverStarting, "
                        + "doStop()V -> ContainerHooks.jettyServerStopping",
                "org.eclipse.jetty.server.handler.ContextHandler | jetty | "
                        + "doStop()V -> ContainerHooks.applicationStopping"
            })
    void theContainersClassesGetTheirGroupsAdviceAndNoneWhenTheGroupIsOff(String className, String group, String calls)
            throws IOException {
        byte[] classFile = classFile(className);

        byte[] instrumented = transform(Instrumenter.hookPoints(), className, classFile);
        assertNotNull(instrumented, className + " is instrumented by default");
        assertEquals(calls, String.join(", ", HookTransformerTest.staticCalls(instrumented)));

        assertNull(
                transform(
                        Instrumenter.hookPoints(TestConfigs.of("instrumentation." + group + ".enabled=false")),
                        className,
                        classFile),
                className + " is left alone with the " + group + " group off");
    }

    /**
     * What the capture advice calls, inlined into the JDK's executors (bootstrap loader: no class loader): in each
     * method, the capture at its entry and the refusal at its exit by an exception; and what else the class gets.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "java.util.concurrent.ThreadPoolExecutor | execute(Ljava/lang/Runnable;)V "
                        + "| shutdownNow()Ljava/util/List; -> CaptureHooks.shutdownNow, "
                        + "remove(Ljava/lang/Runnable;)Z -> CaptureHooks.queuedAs, "
                        + "remove(Ljava/lang/Runnable;)Z -> CaptureHooks.removed, "
                        + "purge()V -> CaptureHooks.purging",
                "java.util.concurrent.ForkJoinPool | execute(Ljava/lang/Runnable;)V "
                        + "submit(Ljava/util/concurrent/Callable;)Ljava/util/concurrent/ForkJoinTask; "
                        + "submit(Ljava/lang/Runnable;Ljava/lang/Object;)Ljava/util/concurrent/ForkJoinTask; "
                        + "submit(Ljava/lang/Runnable;)Ljava/util/concurrent/ForkJoinTask; | -",
                "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor | execute(Ljava/lang/Runnable;)V | -"
            })
    void theJdksExecutorsGetTheCaptureAdviceAndNoneWithCaptureOff(String className, String methods, String other)
            throws IOException {
        byte[] classFile = classFile(className);
        List<String> expected = new ArrayList<>();
        for (String method : methods.split(" ")) {
            expected.add(method + " -> CaptureHooks.capture");
            expected.add(method + " -> CaptureHooks.rejected");
        }
        if (!other.equals("-")) {
            expected.addAll(List.of(other.split(", ")));
        }

        byte[] instrumented = transformJdk(Instrumenter.hookPoints(), className, classFile);
        assertNotNull(instrumented, className + " is instrumented by default");
        assertEquals(sorted(expected), sorted(HookTransformerTest.staticCalls(instrumented)));

        for (String off : new String[] {"instrumentation.capture.enabled=false", "capture=none"}) {
            assertNull(
                    transformJdk(Instrumenter.hookPoints(TestConfigs.of(off)), className, classFile),
                    className + " is left alone with " + off);
        }
        assertNull(
                transform(Instrumenter.hookPoints(), className, classFile),
                "a class of that name in another loader than the bootstrap loader is not the JDK's");
    }

    /**
     * {@code java.lang.Thread} with {@code waituntil.capture=executors,threads}: the capture at {@code start()}'s
     * entry and its refusal at its exit, the end of the thread, its failure; left alone by default.
     */
    @Test
    void threadGetsTheThreadAdviceOnlyWhenThreadsAreCaptured() throws IOException {
        String className = "java.lang.Thread";
        byte[] classFile = classFile(className);
        Config threads = TestConfigs.of("capture=executors,threads");

        byte[] instrumented = transformJdk(Instrumenter.hookPoints(threads), className, classFile);
        assertNotNull(instrumented, className + " is instrumented with threads");
        assertEquals(
                sorted(List.of(
                        "start()V -> CaptureHooks.threadStarting",
                        "start()V -> CaptureHooks.threadStarted",
                        "exit()V -> CaptureHooks.threadEnded",
                        "dispatchUncaughtException(Ljava/lang/Throwable;)V -> CaptureHooks.threadFailed")),
                sorted(HookTransformerTest.staticCalls(instrumented)));
        assertNull(transformJdk(Instrumenter.hookPoints(), className, classFile), "left alone by default");
        assertNull(transformJdk(
                Instrumenter.hookPoints(
                        TestConfigs.of("capture=executors,threads", "instrumentation.capture.enabled=false")),
                className,
                classFile));
    }

    /** Where runAsync and supplyAsync hand their task over: noted, so that registering the future adopts it. */
    @Test
    void completableFuturesAsyncStagesGetTheStageAdviceAndNoneWithCaptureOff() throws IOException {
        String className = "java.util.concurrent.CompletableFuture";
        byte[] classFile = classFile(className);
        List<String> expected = new ArrayList<>();
        for (String method : new String[] {
            "asyncRunStage(Ljava/util/concurrent/Executor;Ljava/lang/Runnable;)Ljava/util/concurrent/CompletableFuture;",
            "asyncSupplyStage(Ljava/util/concurrent/Executor;Ljava/util/function/Supplier;)"
                    + "Ljava/util/concurrent/CompletableFuture;"
        }) {
            expected.add(method + " -> CaptureHooks.asyncStageEntered");
            expected.add(method + " -> CaptureHooks.asyncStageExited");
        }

        byte[] instrumented = transformJdk(Instrumenter.hookPoints(), className, classFile);
        assertNotNull(instrumented, className + " is instrumented by default");
        assertEquals(sorted(expected), sorted(HookTransformerTest.staticCalls(instrumented)));
        assertNull(transformJdk(Instrumenter.hookPoints(TestConfigs.of("capture=none")), className, classFile));
    }

    private static List<String> sorted(List<String> calls) {
        return calls.stream().sorted().collect(Collectors.toList());
    }

    private static byte[] transformJdk(List<HookPoint> points, String className, byte[] classFile) {
        return new HookTransformer(points).transform(null, className.replace('.', '/'), null, null, classFile);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jakarta.servlet.http.HttpServlet", "javax.servlet.http.HttpServlet"})
    void theServletApiIsLeftAloneWithTheServletGroupOff(String className) throws IOException {
        byte[] classFile = classFile(className);
        assertNotNull(transform(Instrumenter.hookPoints(), className, classFile));
        assertNull(transform(
                Instrumenter.hookPoints(TestConfigs.of("instrumentation.servlet.enabled=false")),
                className,
                classFile));
    }

    private static byte[] transform(List<HookPoint> points, String className, byte[] classFile) {
        return new HookTransformer(points)
                .transform(
                        InstrumentationGroupsTest.class.getClassLoader(),
                        className.replace('.', '/'),
                        null,
                        null,
                        classFile);
    }

    private static byte[] classFile(String className) throws IOException {
        try (InputStream in = InstrumentationGroupsTest.class
                .getClassLoader()
                .getResourceAsStream(className.replace('.', '/') + ".class")) {
            assertNotNull(in, className);
            return in.readAllBytes();
        }
    }

    private static List<String> names(List<HookPoint> points) {
        return points.stream().map(HookPoint::name).collect(Collectors.toList());
    }
}
