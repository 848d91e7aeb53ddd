package dev.waituntil.agent.instrumentation;

import static dev.waituntil.agent.instrumentation.HookTransformerTest.staticCalls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.runtime.CapturedLog;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.StubMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Classes whose super types have no class file, as another agent in front of ours leaves them: the OpenTelemetry
 * Java agent makes every servlet and filter implement an interface that it generates at run time and defines in the
 * bootstrap class loader ({@code io.opentelemetry.javaagent.bootstrap.field.VirtualFieldAccessor$...}), so that no
 * loader has a class file for it; Datadog's agent injects helper classes into the application's loaders whose
 * interfaces live in its own. Such a class is still instrumented where a hook point matches it, an unresolvable super
 * type counts as none of ours, a super type defined without a class file is described from the loaded class, and
 * none of it logs a warning.
 */
class UnresolvableSuperTypeTest {

    private static final String ACCESSOR = "example.generated.FieldAccessor";

    private final CapturedLog log = new CapturedLog();

    @AfterEach
    void closeLog() {
        log.close();
    }

    /** Defines classes from their bytes and offers no class file for them, as an agent that injects generated classes. */
    static final class NoClassFiles extends ClassLoader {
        NoClassFiles(ClassLoader parent) {
            super(parent);
        }

        Class<?> define(DynamicType.Unloaded<?> type) {
            byte[] bytes = type.getBytes();
            return defineClass(type.getTypeDescription().getName(), bytes, 0, bytes.length);
        }
    }

    private static DynamicType.Unloaded<?> accessor() {
        return new ByteBuddy().makeInterface().name(ACCESSOR).make();
    }

    /** A servlet with its own {@code service(ServletRequest, ServletResponse)} that also implements {@code extra}. */
    private static DynamicType.Unloaded<?> servlet(String name, DynamicType.Unloaded<?> extra) {
        return new ByteBuddy()
                .subclass(jakarta.servlet.http.HttpServlet.class)
                .name(name)
                .implement(extra.getTypeDescription())
                .defineMethod("service", void.class, Visibility.PUBLIC)
                .withParameters(jakarta.servlet.ServletRequest.class, jakarta.servlet.ServletResponse.class)
                .intercept(StubMethod.INSTANCE)
                .make();
    }

    private static List<String> expectedServiceCalls() {
        List<String> calls = new ArrayList<>();
        calls.add("service(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V -> ServletHooks.enter");
        calls.add("service(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V -> ServletHooks.exit");
        return calls;
    }

    private static byte[] transform(ClassLoader loader, String name, Class<?> redefined, byte[] classFile) {
        return new HookTransformer(Instrumenter.hookPoints())
                .transform(loader, name.replace('.', '/'), redefined, null, classFile);
    }

    @Test
    void aServletWhoseInterfaceNoLoaderCanFindIsInstrumentedWithoutAWarning() {
        DynamicType.Unloaded<?> servlet = servlet("example.TracedServlet", accessor());
        byte[] instrumented = transform(getClass().getClassLoader(), "example.TracedServlet", null, servlet.getBytes());
        assertNotNull(instrumented, "instrumented: " + log.lines());
        assertEquals(expectedServiceCalls(), staticCalls(instrumented));
        assertEquals(List.of(), log.warnings());
    }

    @Test
    void aServletWhoseInterfaceWasDefinedWithoutAClassFileIsInstrumentedWhenLoadedAndWhenRetransformed() {
        NoClassFiles loader = new NoClassFiles(getClass().getClassLoader());
        DynamicType.Unloaded<?> accessor = accessor();
        loader.define(accessor);
        DynamicType.Unloaded<?> servlet = servlet("example.InjectedServlet", accessor);
        byte[] loading = transform(loader, "example.InjectedServlet", null, servlet.getBytes());
        assertNotNull(loading, "instrumented as it is loaded: " + log.lines());
        assertEquals(expectedServiceCalls(), staticCalls(loading));

        Class<?> loaded = loader.define(servlet);
        byte[] retransformed = transform(loader, "example.InjectedServlet", loaded, servlet.getBytes());
        assertNotNull(retransformed, "instrumented as it is retransformed: " + log.lines());
        assertEquals(expectedServiceCalls(), staticCalls(retransformed));
        assertEquals(List.of(), log.warnings());
    }

    /** After a late attach, the classes already loaded that a hook point matches are retransformed: this one too. */
    @Test
    void theLateAttachPassRetransformsAServletWhoseInterfaceWasDefinedWithoutAClassFile() {
        NoClassFiles loader = new NoClassFiles(getClass().getClassLoader());
        DynamicType.Unloaded<?> accessor = accessor();
        loader.define(accessor);
        Class<?> servlet = loader.define(servlet("example.AttachedServlet", accessor));
        List<Class<?>> retransformed = new ArrayList<>();
        java.lang.instrument.Instrumentation instrumentation =
                (java.lang.instrument.Instrumentation) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {java.lang.instrument.Instrumentation.class},
                        (proxy, method, args) -> {
                            switch (method.getName()) {
                                case "getAllLoadedClasses":
                                    return new Class<?>[] {servlet};
                                case "isModifiableClass":
                                    return true;
                                case "retransformClasses":
                                    retransformed.addAll(java.util.Arrays.asList((Class<?>[]) args[0]));
                                    return null;
                                default:
                                    throw new UnsupportedOperationException(method.getName());
                            }
                        });
        new HookTransformer(Instrumenter.hookPoints()).retransformLoaded(instrumentation);
        assertEquals(List.of(servlet), retransformed);
        assertEquals(List.of(), log.warnings());
    }

    @Test
    void aFilterKnownOnlyThroughAnInterfaceDefinedWithoutAClassFileIsInstrumented() {
        NoClassFiles loader = new NoClassFiles(getClass().getClassLoader());
        DynamicType.Unloaded<?> filterFace = new ByteBuddy()
                .makeInterface(jakarta.servlet.Filter.class)
                .name("example.generated.TracedFilter")
                .make();
        loader.define(filterFace);
        byte[] filter = new ByteBuddy()
                .subclass(Object.class)
                .name("example.MyFilter")
                .implement(filterFace.getTypeDescription())
                .defineMethod("doFilter", void.class, Visibility.PUBLIC)
                .withParameters(
                        jakarta.servlet.ServletRequest.class,
                        jakarta.servlet.ServletResponse.class,
                        jakarta.servlet.FilterChain.class)
                .intercept(StubMethod.INSTANCE)
                .make()
                .getBytes();
        byte[] instrumented = transform(loader, "example.MyFilter", null, filter);
        assertNotNull(instrumented, "a Filter through its loaded interface: " + log.lines());
        assertEquals(
                List.of(
                        "doFilter(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;Ljakarta/servlet/FilterChain;)V -> ServletHooks.enter",
                        "doFilter(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;Ljakarta/servlet/FilterChain;)V -> ServletHooks.exit"),
                staticCalls(instrumented));
        assertEquals(List.of(), log.warnings());
    }

    @Test
    void aClassThatIsNoneOfOursWithAnUnresolvableInterfaceIsPassedOverQuietly() {
        byte[] helper = new ByteBuddy()
                .subclass(Object.class)
                .name("example.ExtractAdapter$Request")
                .implement(accessor().getTypeDescription())
                .make()
                .getBytes();
        assertNull(transform(getClass().getClassLoader(), "example.ExtractAdapter$Request", null, helper));
        assertEquals(List.of(), log.warnings());
    }

    @Test
    void otherAgentsOwnClassesAreNeverLookedAt() {
        for (String name : new String[] {
            "io.opentelemetry.javaagent.bootstrap.field.VirtualFieldAccessor$A",
            "datadog.trace.instrumentation.tomcat.ExtractAdapter$Request",
            "com.datadog.appsec.gateway.AppSecRequestContext",
            "co.elastic.apm.agent.servlet.helper.ServletRequestHeaderGetter"
        }) {
            assertTrue(Instrumenter.isIgnoredName(name), name);
            byte[] helper = new ByteBuddy()
                    .subclass(Object.class)
                    .name(name)
                    .implement(
                            TypeDescription.ForLoadedType.of(jakarta.servlet.Filter.class),
                            accessor().getTypeDescription())
                    .make()
                    .getBytes();
            assertNull(transform(getClass().getClassLoader(), name, null, helper), name);
        }
        assertEquals(List.of(), log.warnings());
    }
}
