package dev.waituntil.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.hook.HookPoint;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.StubMethod;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The agent's transformer inlines each matching hook point's advice into exactly the hook point's methods, and leaves
 * every other class alone (no bytes returned).
 */
class HookTransformerTest {

    /** How long a test waits for what happens at once before it fails: a hang guard, not a speed check. */
    private static final long PATIENCE_SECONDS = 60;

    private static HookTransformer transformer() {
        return new HookTransformer(Instrumenter.hookPoints());
    }

    private static byte[] transform(String name, byte[] classFile, Class<?> redefined) {
        return transformer()
                .transform(
                        HookTransformerTest.class.getClassLoader(), name.replace('.', '/'), redefined, null, classFile);
    }

    /** "method descriptor -> owner.name of every static call in it", for the methods of {@code classFile}. */
    static List<String> staticCalls(byte[] classFile) {
        List<String> calls = new ArrayList<>();
        new ClassReader(classFile)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public MethodVisitor visitMethod(
                                    int access, String name, String descriptor, String signature, String[] exceptions) {
                                return new MethodVisitor(Opcodes.ASM9) {
                                    @Override
                                    public void visitMethodInsn(
                                            int opcode, String owner, String method, String desc, boolean isInterface) {
                                        if (opcode == Opcodes.INVOKESTATIC
                                                && owner.startsWith("dev/waituntil/bootstrap/")) {
                                            calls.add(name + descriptor + " -> "
                                                    + owner.substring(owner.lastIndexOf('/') + 1) + "." + method);
                                        }
                                    }
                                };
                            }
                        },
                        0);
        return calls;
    }

    @Test
    void inlinesTheRequestScopeIntoHttpServletServiceAndTheDrainIntoDestroy() {
        byte[] original = ClassFileLocator.ForClassLoader.read(jakarta.servlet.http.HttpServlet.class);
        byte[] instrumented = transform(jakarta.servlet.http.HttpServlet.class.getName(), original, null);
        assertNotNull(instrumented);
        List<String> calls = staticCalls(instrumented);
        assertTrue(
                calls.contains(
                        "service(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V -> ServletHooks.enter"),
                calls.toString());
        assertTrue(
                calls.contains(
                        "service(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V -> ServletHooks.exit"),
                calls.toString());
        assertFalse(
                calls.stream().anyMatch(c -> c.startsWith("service(Ljakarta/servlet/http/HttpServletRequest;")),
                "the protected HTTP overload is not instrumented: " + calls);
        assertTrue(staticCalls(original).isEmpty());
    }

    @Test
    void retransformsALoadedClassTheSameWay() {
        byte[] original = ClassFileLocator.ForClassLoader.read(jakarta.servlet.GenericServlet.class);
        byte[] instrumented = transform(
                jakarta.servlet.GenericServlet.class.getName(), original, jakarta.servlet.GenericServlet.class);
        assertNotNull(instrumented);
        assertTrue(
                staticCalls(instrumented).contains("destroy()V -> ContainerHooks.applicationDestroying"),
                staticCalls(instrumented).toString());
    }

    @Test
    void inlinesTheDrainIntoANamedContainerClass() {
        byte[] server = fakeJettyServer();
        // a loader that sees Jetty's Server class, as the pre-filter asks
        ClassLoader jetty = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public java.net.URL getResource(String name) {
                return name.equals("org/eclipse/jetty/server/Server.class")
                        ? getClass().getResource("/")
                        : super.getResource(name);
            }
        };
        // and one that does not (the test class path has Jetty, for other tests)
        ClassLoader noJetty = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public java.net.URL getResource(String name) {
                return name.startsWith("org/eclipse/jetty/") ? null : super.getResource(name);
            }
        };
        assertNull(
                transformer().transform(noJetty, "org/eclipse/jetty/server/Server", null, null, server),
                "a loader that cannot see Jetty");
        byte[] instrumented = transformer().transform(jetty, "org/eclipse/jetty/server/Server", null, null, server);
        assertNotNull(instrumented);
        List<String> calls = staticCalls(instrumented);
        assertEquals(
                List.of(
                        "doStop()V -> ContainerHooks.jettyServerStopping",
                        "doStart()V -> ContainerHooks.serverStarting"),
                calls);
    }

    @Test
    void leavesEveryOtherClassAlone() {
        assertNull(transform(String.class.getName(), ClassFileLocator.ForClassLoader.read(String.class), null));
        assertNull(
                transform(
                        HookTransformerTest.class.getName(),
                        ClassFileLocator.ForClassLoader.read(HookTransformerTest.class),
                        null),
                "the agent's own classes");
        byte[] plain = new ByteBuddy()
                .subclass(Object.class)
                .name("example.Plain")
                .make()
                .getBytes();
        assertNull(transform("example.Plain", plain, null));
        assertNull(transformer().transform(null, "example/Plain", null, null, plain), "the bootstrap loader's classes");
        assertNull(
                transformer().transform(getClass().getClassLoader(), null, null, null, plain),
                "hidden classes have no name");
    }

    @Test
    void aClassThatCannotBeInstrumentedIsLeftAsItIsWithOneWarning() {
        // A class file that passes the header filter but that Byte Buddy cannot read: reported, not instrumented.
        byte[] servlet = new ByteBuddy()
                .subclass(jakarta.servlet.http.HttpServlet.class)
                .name("example.Truncated")
                .defineMethod("service", void.class, Visibility.PUBLIC)
                .withParameters(jakarta.servlet.ServletRequest.class, jakarta.servlet.ServletResponse.class)
                .intercept(StubMethod.INSTANCE)
                .make()
                .getBytes();
        byte[] truncated = java.util.Arrays.copyOf(servlet, servlet.length - 20);
        try (dev.waituntil.agent.runtime.CapturedLog log = new dev.waituntil.agent.runtime.CapturedLog()) {
            assertNull(transform("example.Truncated", truncated, null));
            assertEquals(1, log.warnings().size(), log.lines().toString());
            assertTrue(
                    log.warnings().get(0).startsWith("wait-until: could not instrument example.Truncated ("),
                    log.warnings().toString());
        }
    }

    @Test
    void aServletWhoseSuperClassTheLoaderCannotFindIsMatchedByItsInterfacesQuietly() {
        // The JVM cannot define such a class anyway; what matters is that matching neither throws nor warns.
        byte[] orphan = new ByteBuddy()
                .subclass(Object.class)
                .name("example.Orphan")
                .implement(jakarta.servlet.Servlet.class)
                .make()
                .getBytes();
        byte[] broken = orphan.clone();
        // point the super class at a class that does not exist: same length name, so the class file stays valid
        String from = "java/lang/Object";
        String to = "example/Missing1";
        byte[] f = from.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i + f.length <= broken.length; i++) {
            if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(broken, i, i + f.length), f)) {
                System.arraycopy(to.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, broken, i, f.length);
                break;
            }
        }
        try (dev.waituntil.agent.runtime.CapturedLog log = new dev.waituntil.agent.runtime.CapturedLog()) {
            byte[] result = transform("example.Orphan", broken, null);
            assertTrue(result == null || staticCalls(result).isEmpty(), "it declares no method to advise");
            assertEquals(List.of(), log.warnings());
        }
    }

    @Test
    void aClassToInstrumentWaitsForTheWarmUpAndIsInstrumentedAsWithout() throws Exception {
        HookTransformer warmed = new HookTransformer(Instrumenter.hookPoints());
        warmed.warmUpInBackground();
        byte[] original = ClassFileLocator.ForClassLoader.read(jakarta.servlet.http.HttpServlet.class);
        byte[] instrumented =
                warmed.transform(getClass().getClassLoader(), "jakarta/servlet/http/HttpServlet", null, null, original);
        assertNotNull(instrumented);
        assertEquals(
                staticCalls(transform(jakarta.servlet.http.HttpServlet.class.getName(), original, null)),
                staticCalls(instrumented));
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("wait-until-warmup")) {
                thread.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
                assertFalse(thread.isAlive(), "the warm-up ends");
            }
        }
    }

    /**
     * The transformer as the agent had it before it made its own: Byte Buddy's {@code AgentBuilder} with the same
     * hook points, settings and matchers.
     */
    private static java.lang.instrument.ClassFileTransformer agentBuilderAsBefore() {
        net.bytebuddy.agent.builder.AgentBuilder builder = new net.bytebuddy.agent.builder.AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(net.bytebuddy.agent.builder.AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(net.bytebuddy.agent.builder.AgentBuilder.TypeStrategy.Default.DECORATE)
                .ignore(Instrumenter.ignored());
        for (HookPoint point : Instrumenter.hookPoints()) {
            builder = builder.type(new Instrumenter.PreFiltered(point.requiredClass(), point.types()))
                    .transform(new net.bytebuddy.agent.builder.AgentBuilder.Transformer.ForAdvice()
                            .include(Instrumenter.class.getClassLoader())
                            .advice(point.methods(), point.advice().getName()));
        }
        return builder.makeRaw();
    }

    @Test
    void writesTheSameClassFilesAsByteBuddysAgentBuilderDid() throws Exception {
        java.lang.instrument.ClassFileTransformer before = agentBuilderAsBefore();
        HookTransformer now = transformer();
        ClassLoader loader = getClass().getClassLoader();
        List<Class<?>> classes = List.of(
                jakarta.servlet.http.HttpServlet.class,
                javax.servlet.http.HttpServlet.class,
                jakarta.servlet.GenericServlet.class,
                jakarta.servlet.http.HttpFilter.class,
                javax.servlet.GenericFilter.class,
                jakarta.servlet.ServletRequestWrapper.class,
                javax.servlet.http.HttpServletRequestWrapper.class,
                SuperTypesTest.AServlet.class,
                String.class,
                java.util.ArrayList.class,
                HookTransformerTest.class);
        int instrumented = 0;
        for (Class<?> type : classes) {
            byte[] classFile = ClassFileLocator.ForClassLoader.read(type);
            String internalName = type.getName().replace('.', '/');
            for (Class<?> redefined : new Class<?>[] {null, type}) {
                byte[] expected = before.transform(loader, internalName, redefined, null, classFile);
                byte[] actual = now.transform(loader, internalName, redefined, null, classFile);
                String what = type.getName() + (redefined == null ? " (loading)" : " (retransforming)");
                assertEquals(expected == null, actual == null, what);
                if (expected != null) {
                    // Ours keeps the class's constant pool and copies the methods without advice as they are, so the
                    // bytes differ in order; written afresh by ASM, the same class gives the same bytes.
                    assertTrue(
                            java.util.Arrays.equals(writtenAfresh(expected), writtenAfresh(actual)),
                            what + ": the same class");
                    instrumented++;
                }
            }
        }
        assertEquals(14, instrumented, "the seven servlet API classes, loading and retransforming");

        // Classes of an application and a container, in a loader that also sees Jetty's Server class.
        ClassLoader jetty = new ClassLoader(loader) {
            @Override
            public java.net.URL getResource(String name) {
                return name.equals("org/eclipse/jetty/server/Server.class")
                        ? HookTransformerTest.class.getResource("/")
                        : super.getResource(name);
            }
        };
        byte[] servlet = new ByteBuddy()
                .subclass(jakarta.servlet.http.HttpServlet.class)
                .name("example.MyServlet")
                .defineMethod("service", void.class, Visibility.PUBLIC)
                .withParameters(jakarta.servlet.ServletRequest.class, jakarta.servlet.ServletResponse.class)
                .intercept(StubMethod.INSTANCE)
                .make()
                .getBytes();
        byte[] server = fakeJettyServer();
        for (Object[] c :
                new Object[][] {{"example/MyServlet", servlet}, {"org/eclipse/jetty/server/Server", server}}) {
            byte[] expected = before.transform(jetty, (String) c[0], null, null, (byte[]) c[1]);
            byte[] actual = now.transform(jetty, (String) c[0], null, null, (byte[]) c[1]);
            assertNotNull(expected, (String) c[0]);
            assertTrue(
                    java.util.Arrays.equals(writtenAfresh(expected), writtenAfresh(actual)), c[0] + ": the same class");
        }
    }

    @Test
    void startUpWorkWaitsForTheWarmUpOrRunsAtOnce() throws Exception {
        HookTransformer none = transformer();
        List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        none.afterWarmUp(() -> ran.add("at once, on " + Thread.currentThread().getName()));
        assertEquals(List.of("at once, on " + Thread.currentThread().getName()), ran, "no warm-up: at once");

        HookTransformer warmed = transformer();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        warmed.warmUpInBackground();
        warmed.afterWarmUp(() -> {
            ran.add("after, on " + Thread.currentThread().getName());
            done.countDown();
        });
        assertTrue(done.await(30, java.util.concurrent.TimeUnit.SECONDS));
        String after = ran.get(1);
        assertTrue(
                after.equals("after, on wait-until-warmup")
                        || after.equals("after, on " + Thread.currentThread().getName()),
                after);
    }

    /**
     * The class file as ASM writes it from nothing: the constant pool in the order its visit names the constants, so
     * that two class files of the same class compare equal byte for byte whatever order their pools had.
     */
    private static byte[] writtenAfresh(byte[] classFile) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(classFile).accept(writer, 0);
        return writer.toByteArray();
    }

    /** The bytes of a class named as Jetty's {@code Server}, with the two methods its hook points name. */
    private static byte[] fakeJettyServer() {
        return new ByteBuddy()
                .subclass(Object.class)
                .name("org.eclipse.jetty.server.Server")
                .defineMethod("doStop", void.class, Visibility.PROTECTED)
                .intercept(StubMethod.INSTANCE)
                .defineMethod("doStart", void.class, Visibility.PROTECTED)
                .intercept(StubMethod.INSTANCE)
                .make()
                .getBytes();
    }
}
