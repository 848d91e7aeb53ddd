package dev.waituntil.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.waituntil.agent.hook.HookPoint;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

/**
 * The servlet hook points' type matching through {@link SuperTypes} gives the same answers as their declared
 * matcher, {@code not(isInterface()).and(hasSuperType(named(...)))}, for loaded classes (retransformation) and for
 * classes described from their class files (a class being loaded), and keeps them per class loader.
 */
class SuperTypesTest {

    private static final List<Class<?>> TYPES = Arrays.asList(
            Object.class,
            String.class,
            java.util.ArrayList.class,
            Runnable.class,
            javax.servlet.Servlet.class,
            javax.servlet.GenericServlet.class,
            javax.servlet.http.HttpServlet.class,
            javax.servlet.Filter.class,
            javax.servlet.ServletRequest.class,
            javax.servlet.ServletRequestWrapper.class,
            javax.servlet.http.HttpServletRequestWrapper.class,
            javax.servlet.http.HttpServletRequest.class,
            javax.servlet.AsyncContext.class,
            javax.servlet.ServletContextListener.class,
            jakarta.servlet.GenericServlet.class,
            jakarta.servlet.http.HttpServlet.class,
            jakarta.servlet.http.HttpFilter.class,
            jakarta.servlet.GenericFilter.class,
            jakarta.servlet.ServletRequestWrapper.class,
            jakarta.servlet.http.HttpServletRequestWrapper.class,
            jakarta.servlet.ServletContextListener.class,
            AServlet.class,
            AFilterAndListener.class,
            AnAsyncContext.class);

    @Test
    void answersAsTheDeclaredMatcherForEveryServletHookPoint() {
        ClassLoader loader = getClass().getClassLoader();
        TypePool pool = TypePool.Default.of(ClassFileLocator.ForClassLoader.of(loader));
        SuperTypes superTypes = new SuperTypes(Instrumenter.hookPoints().stream()
                .map(HookPoint::superType)
                .filter(java.util.Objects::nonNull)
                .collect(java.util.stream.Collectors.toList()));
        int checked = 0;
        for (HookPoint point : Instrumenter.hookPoints()) {
            if (point.superType() == null) {
                continue;
            }
            ElementMatcher<? super TypeDescription> declared = point.types();
            Instrumenter.SubtypeCheck cached = new Instrumenter.SubtypeCheck(superTypes, point.superType());
            for (Class<?> type : TYPES) {
                TypeDescription loaded = TypeDescription.ForLoadedType.of(type);
                TypeDescription parsed = pool.describe(type.getName()).resolve();
                boolean expected = declared.matches(loaded);
                assertEquals(expected, cached.matches(loaded, loader), point.name() + " on loaded " + type.getName());
                assertEquals(expected, cached.matches(parsed, loader), point.name() + " on parsed " + type.getName());
                assertEquals(expected, declared.matches(parsed), point.name() + " on parsed " + type.getName());
                checked++;
            }
        }
        assertEquals(12 * TYPES.size(), checked);
    }

    @Test
    void theSameAsHasSuperTypeForAnyName() {
        SuperTypes superTypes = new SuperTypes(Arrays.asList("jakarta.servlet.ServletRequestWrapper"));
        Instrumenter.SubtypeCheck wrapper =
                new Instrumenter.SubtypeCheck(superTypes, "jakarta.servlet.ServletRequestWrapper");
        ElementMatcher<TypeDescription> declared =
                not(isInterface()).and(hasSuperType(named("jakarta.servlet.ServletRequestWrapper")));
        for (Class<?> type : TYPES) {
            TypeDescription loaded = TypeDescription.ForLoadedType.of(type);
            assertEquals(
                    declared.matches(loaded), wrapper.matches(loaded, getClass().getClassLoader()), type.getName());
        }
    }

    @Test
    void remembersPerClassLoader() {
        SuperTypes superTypes = new SuperTypes(
                Arrays.asList("jakarta.servlet.Servlet", "jakarta.servlet.Filter", "jakarta.servlet.Servlet"));
        int servlet = superTypes.bitOf("jakarta.servlet.Servlet");
        assertEquals(2, Integer.bitCount(servlet | superTypes.bitOf("jakarta.servlet.Filter")), "one bit per name");
        assertThrows(IllegalArgumentException.class, () -> superTypes.bitOf("jakarta.servlet.AsyncContext"));
        ClassLoader loader = getClass().getClassLoader();
        assertTrue((superTypes.of(TypeDescription.ForLoadedType.of(AServlet.class), loader) & servlet) != 0);
        // Another loader in which the same names mean other classes: its own answers.
        ClassLoader other = new ClassLoader(null) {};
        TypeDescription unrelated = new TypeDescription.Latent(
                AServlet.class.getName(),
                0x0001,
                TypeDescription.Generic.OfNonGenericType.ForLoadedType.of(Object.class));
        assertFalse((superTypes.of(unrelated, other) & servlet) != 0);
        assertTrue((superTypes.of(TypeDescription.ForLoadedType.of(AServlet.class), loader) & servlet) != 0);
    }

    /**
     * Where Byte Buddy's matcher throws (a super type that the description cannot resolve), the answer here is "none
     * of ours": a class that another agent made implement an interface with no class file must not fail to match.
     */
    @Test
    void aSuperTypeThatCannotBeResolvedIsNoneOfOursWhereByteBuddyThrows() {
        TypePool empty = TypePool.Default.of(ClassFileLocator.Simple.of(
                AServlet.class.getName(), ClassFileLocator.ForClassLoader.read(AServlet.class)));
        TypeDescription parsed = empty.describe(AServlet.class.getName()).resolve();
        Instrumenter.SubtypeCheck cached = new Instrumenter.SubtypeCheck(
                new SuperTypes(Arrays.asList("jakarta.servlet.Servlet")), "jakarta.servlet.Servlet");
        assertFalse(cached.matches(parsed, new ClassLoader(null) {}), "a loader that cannot find the super class");
        assertThrows(
                IllegalStateException.class,
                () -> not(isInterface())
                        .and(hasSuperType(named("jakarta.servlet.Servlet")))
                        .matches(parsed));
    }

    @Test
    void aSuperTypeWithoutAClassFileIsDescribedFromTheLoadedClass() {
        ClassLoader noClassFiles = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public java.io.InputStream getResourceAsStream(String name) {
                return name.equals(AServlet.class.getName().replace('.', '/') + ".class")
                        ? null
                        : super.getResourceAsStream(name);
            }
        };
        SuperTypes superTypes = new SuperTypes(Arrays.asList("jakarta.servlet.Servlet"));
        int servlet = superTypes.bitOf("jakarta.servlet.Servlet");
        assertEquals(
                servlet,
                superTypes.ofClassFile(
                        "example/Sub", AServlet.class.getName().replace('.', '/'), new String[0], noClassFiles));
        assertEquals(
                0,
                superTypes.ofClassFile(
                        "example/Sub", "java/lang/Object", new String[] {"example/Nowhere"}, noClassFiles),
                "a name that no class and no class file answers to");
    }

    static class AServlet extends jakarta.servlet.http.HttpServlet {
        private static final long serialVersionUID = 1L;
    }

    abstract static class AFilterAndListener implements javax.servlet.Filter, jakarta.servlet.ServletContextListener {}

    abstract static class AnAsyncContext implements java.io.Serializable, jakarta.servlet.AsyncContext {}
}
