package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ServletContextListener.contextDestroyed(ServletContextEvent)}: as {@link ServletDestroyInstrumentation},
 * the container-neutral point where an application is torn down, with the same advice.
 */
public final class ServletContextDestroyedInstrumentation extends ServletHookPoint {

    public ServletContextDestroyedInstrumentation(String servletPackage) {
        super(servletPackage, "ServletContextListener", "contextDestroyed");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method())
                .and(takesArguments(1))
                .and(takesArgument(0, named(api("ServletContextEvent"))))
                .and(not(isAbstract()));
    }

    @Override
    public Class<?> advice() {
        return ServletDestroyInstrumentation.DestroyAdvice.class;
    }
}
