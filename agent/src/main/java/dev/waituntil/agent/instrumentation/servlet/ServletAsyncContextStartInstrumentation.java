package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.waituntil.bootstrap.ServletHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code AsyncContext.start(Runnable)}: the runnable takes the request's scope to the thread that runs it. */
public final class ServletAsyncContextStartInstrumentation extends ServletHookPoint {

    public ServletAsyncContextStartInstrumentation(String servletPackage) {
        super(servletPackage, "AsyncContext", "start");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method())
                .and(not(isAbstract()))
                .and(takesArguments(1))
                .and(takesArgument(0, named("java.lang.Runnable")));
    }

    @Override
    public Class<?> advice() {
        return PropagateAdvice.class;
    }

    /** Inlined into {@code AsyncContext.start}: replaces the runnable with one that carries the request's scope. */
    public static final class PropagateAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
            task = ServletHooks.propagate(task);
        }
    }
}
