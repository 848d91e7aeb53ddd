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

/**
 * {@code Servlet.service(ServletRequest, ServletResponse)}: the outermost call opens the request
 * scope, and it is closed when that call ends, by return or by exception. Parametrised by the
 * servlet package, so one class serves {@code javax.servlet} and {@code jakarta.servlet}.
 */
public final class ServletServiceInstrumentation extends ServletHookPoint {

    public ServletServiceInstrumentation(String servletPackage) {
        super(servletPackage, "Servlet", "service");
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method())
                .and(not(isAbstract()))
                .and(takesArguments(2))
                .and(takesArgument(0, named(api("ServletRequest"))))
                .and(takesArgument(1, named(api("ServletResponse"))));
    }

    @Override
    public Class<?> advice() {
        return RequestScopeAdvice.class;
    }

    /**
     * Inlined into {@code service} and {@code doFilter}. References only the bootstrap hooks, which every
     * class loader can see; the request is passed as {@code Object}, so the same advice serves javax and
     * jakarta. The exit runs on exceptions too, so no scope is ever left on a pooled thread.
     */
    public static final class RequestScopeAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object request) {
            ServletHooks.enter(request);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit() {
            ServletHooks.exit();
        }
    }
}
