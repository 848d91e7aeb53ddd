package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import dev.waituntil.agent.instrumentation.HookPoint;

/** {@code AsyncContext.start(Runnable)}: the runnable takes the request's scope to the thread that runs it. */
public final class AsyncContextStartInstrumentation implements HookPoint {

    private final String servletPackage;

    public AsyncContextStartInstrumentation(String servletPackage) {
        this.servletPackage = servletPackage;
    }

    @Override
    public String name() {
        return servletPackage + ".AsyncContext.start";
    }

    @Override
    public String requiredClass() {
        return servletPackage + ".AsyncContext";
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return not(isInterface()).and(hasSuperType(named(servletPackage + ".AsyncContext")));
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named("start").and(not(isAbstract())).and(takesArguments(1))
                .and(takesArgument(0, named("java.lang.Runnable")));
    }

    @Override
    public Class<?> advice() {
        return AsyncContextStartAdvice.class;
    }
}
