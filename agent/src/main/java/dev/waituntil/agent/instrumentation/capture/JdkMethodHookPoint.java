package dev.waituntil.agent.instrumentation.capture;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.waituntil.agent.hook.HookPoint;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * A hook point on one method of one named JDK class, by its name and parameter types: the class's own declaration
 * only, so a subclass that overrides the method is captured when it calls the JDK's, and one that does not call it
 * (as {@code ScheduledThreadPoolExecutor.execute}, which schedules) is not.
 */
abstract class JdkMethodHookPoint implements HookPoint {

    private final String className;
    private final String method;
    private final Class<?>[] parameters;
    private final Class<?> advice;

    JdkMethodHookPoint(String className, String method, Class<?> advice, Class<?>... parameters) {
        this.className = className;
        this.method = method;
        this.parameters = parameters;
        this.advice = advice;
    }

    @Override
    public String name() {
        StringBuilder b =
                new StringBuilder(className).append('.').append(method).append('(');
        for (int i = 0; i < parameters.length; i++) {
            b.append(i == 0 ? "" : ", ").append(parameters[i].getSimpleName());
        }
        return b.append(')').toString();
    }

    @Override
    public String requiredClass() {
        return className;
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return named(className);
    }

    @Override
    public String superType() {
        return null;
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method).and(takesArguments(parameters)).and(not(isAbstract()));
    }

    @Override
    public boolean jdkClass() {
        return true;
    }

    @Override
    public Class<?> advice() {
        return advice;
    }
}
