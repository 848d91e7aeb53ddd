package dev.waituntil.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.waituntil.agent.cli.CommandLine.Action;
import dev.waituntil.agent.cli.CommandLine.Invocation;
import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.jmx.JmxRegistration;
import dev.waituntil.agent.runtime.RequestInfo;
import dev.waituntil.agent.runtime.Scope;
import dev.waituntil.agent.runtime.TaskRuntime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The command line: every form it accepts, every usage error (exit code 2, the problem named, the
 * usage shown), and what status, tasks and drain print against a real MBean server holding the real
 * MXBean. Attaching to another JVM is {@code JmxOperationsIT}'s part.
 */
class CommandLineTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true);
    private final PrintStream err = new PrintStream(errBytes, true);
    private final List<TaskRuntime> runtimes = new ArrayList<>();
    private final List<ClassLoader> loaders = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        runtimes.forEach(TaskRuntime::shutdownExecutor);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private static Invocation parse(String... args) throws CommandException {
        return CommandLine.parse(args);
    }

    // ------------------------------------------------------------------ forms

    @Test
    void aPidAloneAttachesWithoutArguments() throws Exception {
        Invocation i = parse("4242");
        assertEquals(Action.ATTACH, i.action);
        assertEquals("4242", i.pid);
        assertNull(i.argument);
    }

    @Test
    void aPidAndSettingsAttachWithThemAsBefore() throws Exception {
        Invocation i = parse(" 4242 ", "drain.timeout=10s,debug=true");
        assertEquals(Action.ATTACH, i.action);
        assertEquals("4242", i.pid);
        assertEquals("drain.timeout=10s,debug=true", i.argument);
    }

    @Test
    void statusTasksAndDrain() throws Exception {
        assertEquals(Action.STATUS, parse("1", "status").action);
        assertEquals(Action.TASKS, parse("1", "tasks").action);
        Invocation all = parse("1", "drain");
        assertEquals(Action.DRAIN, all.action);
        assertNull(all.argument, "no application: drain everything");
        Invocation one = parse("1", "drain", "/shop");
        assertEquals(Action.DRAIN, one.action);
        assertEquals("/shop", one.argument);
        assertEquals("1", one.pid);
    }

    @Test
    void helpPrintsTheUsageOnStandardOutputAndExitsZero() {
        for (String help : new String[] {"-h", "--help", "help"}) {
            outBytes.reset();
            assertEquals(0, CommandLine.run(new String[] {help}, out, err), help);
            assertTrue(out().startsWith("usage: java -jar wait-until-agent.jar <pid> [key=value,...]"), out());
        }
        assertEquals("", err());
    }

    @Test
    void theUsageListsEveryForm() {
        String usage = CommandLine.usage();
        for (String form : new String[] {
            "<pid> [key=value,...]",
            "<pid> status",
            "<pid> tasks",
            "<pid> drain [<app>]",
            "jdk.attach",
            "exit code: 0",
            "1 failed",
            "2 usage"
        }) {
            assertTrue(usage.contains(form), "the usage names '" + form + "':\n" + usage);
        }
    }

    // ------------------------------------------------------------------ usage errors

    @Test
    void usageErrorsExitTwoNamingTheProblemAndShowTheUsage() {
        Map<List<String>, String> cases = new HashMap<>();
        cases.put(List.of(), "no process id given");
        cases.put(List.of("abc"), "'abc' is not a process id");
        cases.put(List.of("status", "4242"), "the process id comes first: java -jar wait-until-agent.jar 4242 status");
        cases.put(List.of("4242", "stauts"), "unknown command 'stauts'");
        cases.put(List.of("4242", "status", "extra"), "too many arguments: status takes no arguments");
        cases.put(List.of("4242", "tasks", "/shop"), "too many arguments: tasks takes no arguments");
        cases.put(List.of("4242", "drain", "/a", "/b"), "too many arguments: drain takes one application at most");
        cases.put(List.of("4242", "drain", " "), "an empty application name");
        cases.put(List.of("4242", "debug=true", "drain.timeout=1s"), "give the settings as one argument");
        cases.put(List.of("12345678901"), "is not a process id");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            outBytes.reset();
            errBytes.reset();
            int exit = CommandLine.run(c.getKey().toArray(new String[0]), out, err);
            assertEquals(2, exit, c.getKey() + "\n" + err());
            assertTrue(
                    err().startsWith("wait-until: ") && err().contains(c.getValue()),
                    c.getKey() + " says '" + c.getValue() + "':\n" + err());
            assertTrue(err().contains("usage: java -jar wait-until-agent.jar"), "and shows the usage:\n" + err());
            assertEquals("", out(), "nothing on standard output");
        }
    }

    // ------------------------------------------------------------------ the target JVM

    @Test
    void aProcessThatDoesNotExistIsNamedBeforeAnyAttach() {
        assumeTrue(Files.isDirectory(Paths.get("/proc/self")), "the check reads /proc (Linux)");
        String pid = "2147483646";
        assumeTrue(!Files.exists(Paths.get("/proc", pid)));
        for (String command : new String[] {"status", "tasks", "drain"}) {
            errBytes.reset();
            assertEquals(1, CommandLine.run(new String[] {pid, command}, out, err), command);
            assertTrue(
                    err().contains("there is no process " + pid
                            + " (list the JVMs with jps -l; in a container the JVM is" + " usually pid 1)"),
                    err());
        }
        errBytes.reset();
        assertEquals(1, CommandLine.run(new String[] {pid}, out, err), "attach");
        assertTrue(err().contains("there is no process " + pid), err());
    }

    @Test
    void theAttachApiIsFoundOnThisJdk() throws Exception {
        assertEquals(
                "com.sun.tools.attach.VirtualMachine",
                TargetJvm.virtualMachineType().getName());
    }

    // ------------------------------------------------------------------ output, against the real MXBean

    private MBeanServer serverWith(TaskRuntime runtime) throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer(); // not kept by the factory: nothing to release
        JmxRegistration.register(server, runtime, "9.9.9-test");
        return server;
    }

    private TaskRuntime runtime(String... settings) {
        Map<String, String> properties = new HashMap<>();
        for (String s : settings) {
            properties.put("waituntil." + s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        TaskRuntime runtime = new TaskRuntime(Config.load(null, properties, Collections.emptyMap(), p -> {}));
        runtimes.add(runtime);
        return runtime;
    }

    private Scope application(TaskRuntime runtime, String name) {
        ClassLoader loader = new URLClassLoader(new URL[0], getClass().getClassLoader());
        loaders.add(loader);
        Scope scope = runtime.scopeOf(loader);
        scope.rename(name);
        return scope;
    }

    @Test
    void statusPrintsEveryAttributeOnALineOfItsOwn() throws Exception {
        TaskRuntime runtime = runtime();
        MBeanServer server = serverWith(runtime);
        runtime.register("a", new CompletableFuture<>(), application(runtime, "/shop"), null);
        application(runtime, "/other");
        assertEquals(0, OperatorCommand.status(server, "77", out));
        String[] lines = out().split("\n");
        assertEquals("wait-until in JVM 77", lines[0]);
        assertEquals("Version              9.9.9-test", lines[1]);
        assertEquals("Pending              1", lines[2]);
        assertTrue(lines[3].matches("OldestPendingMillis  \\d+"), lines[3]);
        assertEquals("Registered           1", lines[4]);
        assertEquals("ShuttingDown         false", lines[10]);
        assertEquals("Applications         /shop: 1 pending, 0 request(s) in flight", lines[11]);
        assertEquals("                     /other: 0 pending, 0 request(s) in flight", lines[12]);
        assertTrue(lines[13].startsWith("Settings             drain.timeout=30s, "), lines[13]);
        assertEquals(14, lines.length, out());
    }

    @Test
    void tasksPrintsOneLinePerTaskAsTheLogNamesIt() throws Exception {
        TaskRuntime runtime = runtime();
        MBeanServer server = serverWith(runtime);
        assertEquals(0, OperatorCommand.tasks(server, "77", out, err));
        assertEquals("", out(), "no task, no line");
        assertEquals("wait-until: no pending tasks in JVM 77\n", err());

        runtime.register("nightly", new CompletableFuture<>(), runtime.jvm(), null);
        Thread.sleep(20);
        runtime.register(
                "mail", new CompletableFuture<>(), application(runtime, "/shop"), new RequestInfo("GET", "/shop/x", 1));
        assertEquals(0, OperatorCommand.tasks(server, "77", out, err));
        String[] lines = out().split("\n");
        assertEquals(2, lines.length, out());
        assertTrue(lines[0].matches("'nightly' \\(age \\d+ ms, no application\\)"), lines[0]);
        assertTrue(lines[1].matches("'mail' \\(age \\d+ ms, request GET /shop/x, application /shop\\)"), lines[1]);
    }

    @Test
    void drainExitsZeroWhenEveryTaskFinishedAndOneWhenTasksWereLeft() throws Exception {
        TaskRuntime runtime = runtime("drain.timeout=200ms");
        MBeanServer server = serverWith(runtime);
        Scope shop = application(runtime, "/shop");
        runtime.register("never-ends", new CompletableFuture<>(), application(runtime, "/other"), null);

        assertEquals(0, OperatorCommand.drain(server, "77", "/shop", out, err));
        assertTrue(out().startsWith("OK: drain of application /shop for an operator (JMX): "), out());
        assertTrue(err().contains("draining application /shop of JVM 77"), err());
        assertTrue(shop.isDrained());

        outBytes.reset();
        assertEquals(1, OperatorCommand.drain(server, "77", null, out, err));
        assertTrue(out().startsWith("TIMED OUT: drain of the JVM for an operator (JMX): "), out());
        assertTrue(out().contains("'never-ends'"), out());

        CommandException unknown =
                assertThrows(CommandException.class, () -> OperatorCommand.drain(server, "77", "/nope", out, err));
        assertEquals(2, unknown.exitCode());
        assertTrue(
                unknown.getMessage().contains("no application named '/nope' in this JVM; known: /shop, /other"),
                unknown.getMessage());
    }
}
