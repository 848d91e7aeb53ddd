package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code Servlet.destroy()}: in a container the agent has no hooks for, the first servlet destroyed of
 * an application drains it. Late (other servlets may be gone) but the class loader is still alive.
 * In Tomcat and Jetty the application was drained earlier and this finds nothing.
 */
public final class ServletDestroyInstrumentation extends ServletHookPoint {

    public ServletDestroyInstrumentation(String servletPackage) {
        super(servletPackage, "Servlet", "destroy");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method()).and(takesArguments(0)).and(not(isAbstract()));
    }

    @Override
    public Class<?> advice() {
        return DestroyAdvice.class;
    }

    /** Inlined at the entry of {@code Servlet.destroy()} and {@code ServletContextListener.contextDestroyed()}. */
    public static final class DestroyAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object component) {
            ContainerHooks.applicationDestroying(component);
        }
    }
}
