package dev.waituntil.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.hook.HookPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.SyntheticState;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import org.junit.jupiter.api.Test;

/**
 * The load-time filter passes a class over only where no hook point would have matched it: the same answers as the
 * hook points' own matchers (behind their pre-filter), from the class file's header.
 */
class LoadTimeFilterTest {

    private static final List<Class<?>> CLASSES = Arrays.asList(
            Object.class,
            String.class,
            java.util.ArrayList.class,
            Runnable.class,
            LoadTimeFilterTest.class,
            javax.servlet.Servlet.class,
            javax.servlet.GenericServlet.class,
            javax.servlet.http.HttpServlet.class,
            javax.servlet.ServletRequestWrapper.class,
            javax.servlet.http.HttpServletRequestWrapper.class,
            javax.servlet.http.HttpServletRequest.class,
            javax.servlet.ServletContextListener.class,
            jakarta.servlet.GenericServlet.class,
            jakarta.servlet.http.HttpServlet.class,
            jakarta.servlet.http.HttpFilter.class,
            jakarta.servlet.ServletRequestWrapper.class,
            jakarta.servlet.ServletContextEvent.class,
            SuperTypesTest.AServlet.class,
            SuperTypesTest.AFilterAndListener.class,
            SuperTypesTest.AnAsyncContext.class);

    private static LoadTimeFilter filter() {
        List<String> superTypes = new ArrayList<>();
        List<String> named = new ArrayList<>();
        for (HookPoint point : Instrumenter.hookPoints()) {
            if (point.superType() != null) {
                superTypes.add(point.superType());
            } else {
                named.add(point.requiredClass());
            }
        }
        return new LoadTimeFilter(named, superTypes, new SuperTypes(superTypes));
    }

    /** What the hook points decide for {@code type}, as loaded by {@code loader}: does any match? */
    private static boolean anyHookPointMatches(Class<?> type, ClassLoader loader) {
        TypeDescription description = TypeDescription.ForLoadedType.of(type);
        for (HookPoint point : Instrumenter.hookPoints()) {
            if (new Instrumenter.PreFiltered(point.requiredClass(), point.types())
                    .matches(description, loader, null, null, null)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void passesOverExactlyWhatNoHookPointMatches() {
        LoadTimeFilter filter = filter();
        ClassLoader loader = getClass().getClassLoader();
        int matched = 0;
        for (Class<?> type : CLASSES) {
            byte[] classFile = ClassFileLocator.ForClassLoader.read(type);
            boolean expected = anyHookPointMatches(type, loader);
            assertEquals(expected, filter.mayMatch(type.getName(), classFile, loader), type.getName());
            assertEquals(expected, filter.mayMatch(type, loader), "loaded " + type.getName());
            matched += expected ? 1 : 0;
        }
        assertTrue(matched >= 8, "the list holds matching classes too: " + matched);
    }

    @Test
    void aLoaderThatCannotSeeTheApiGetsNothingMatchedByHierarchy() {
        ClassLoader blind = new ClassLoader(null) {};
        byte[] servlet = ClassFileLocator.ForClassLoader.read(SuperTypesTest.AServlet.class);
        String name = SuperTypesTest.AServlet.class.getName();
        assertFalse(filter().mayMatch(name, servlet, blind));
        assertFalse(filter().mayMatch(name, servlet, null), "the bootstrap loader's classes are never instrumented");
    }

    @Test
    void namedContainerClassesGoOnWhateverTheirHierarchy() {
        byte[] server = new ByteBuddy()
                .subclass(Object.class)
                .name("org.eclipse.jetty.server.Server")
                .make()
                .getBytes();
        byte[] other = new ByteBuddy()
                .subclass(Object.class)
                .name("org.eclipse.jetty.server.Other")
                .make()
                .getBytes();
        assertTrue(filter().mayMatch(
                        "org.eclipse.jetty.server.Server", server, getClass().getClassLoader()));
        assertFalse(filter().mayMatch(
                        "org.eclipse.jetty.server.Other", other, getClass().getClassLoader()));
    }

    @Test
    void syntheticClassesAreIgnoredAsBefore() {
        byte[] synthetic = new ByteBuddy()
                .subclass(jakarta.servlet.http.HttpServlet.class)
                .name("example.SyntheticServlet")
                .modifiers(SyntheticState.SYNTHETIC)
                .make()
                .getBytes();
        byte[] plain = new ByteBuddy()
                .subclass(jakarta.servlet.http.HttpServlet.class)
                .name("example.PlainServlet")
                .make()
                .getBytes();
        assertFalse(filter().mayMatch(
                        "example.SyntheticServlet", synthetic, getClass().getClassLoader()));
        assertTrue(filter().mayMatch("example.PlainServlet", plain, getClass().getClassLoader()));
    }

    @Test
    void anUnreadableClassFileGoesOnToByteBuddy() {
        assertTrue(filter().mayMatch(
                        "example.Broken", new byte[] {1, 2, 3}, getClass().getClassLoader()));
        assertFalse(
                filter().mayMatch("example.Broken", new byte[] {1, 2, 3}, new ClassLoader(null) {}),
                "a loader that sees no servlet API: nothing to read");
    }

    @Test
    void initializesItsReaderWithAValidClassFile() {
        filter().initialize(); // throws if the built-in class file were not one
    }
}
