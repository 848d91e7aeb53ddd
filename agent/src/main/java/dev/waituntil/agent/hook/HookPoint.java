package dev.waituntil.agent.hook;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * One place in a library or container where the agent adds advice: which types, which methods,
 * and the advice class. One small class per hook point, named for its container and holding its advice as a
 * nested class, in the package of its group ({@code servlet}, {@code tomcat}, {@code jetty}, {@code spring}), which
 * lists them.
 */
public interface HookPoint {

    /** For logs: e.g. {@code jakarta.servlet.Servlet.service}. */
    String name();

    /**
     * A class the hook point's library is sure to have, e.g. {@code jakarta.servlet.Servlet}: the
     * cheap pre-filter. A class loader that cannot see it is never asked about type hierarchies.
     */
    String requiredClass();

    ElementMatcher<? super TypeDescription> types();

    /**
     * For a hook point on every class that implements one API type (the servlet API's interfaces): that type's
     * name. The instrumenter then matches with its cache of super types per class loader, which gives the same answers as
     * {@link #types()} at a fraction of the cost. Null for a hook point on one named class, matched by
     * {@link #types()}.
     */
    String superType();

    ElementMatcher<? super MethodDescription> methods();

    /**
     * Whether the hook point is on a class of the JDK, loaded by the bootstrap loader (before premain, often): then
     * matched by name among the bootstrap loader's classes, which are otherwise never instrumented, and retransformed
     * when the agent starts if already loaded. Its advice, inlined into {@code java.base}, may call only the bootstrap
     * package.
     */
    default boolean jdkClass() {
        return false;
    }

    Class<?> advice();
}
