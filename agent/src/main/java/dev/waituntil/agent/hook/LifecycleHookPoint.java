package dev.waituntil.agent.hook;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * A hook point on one lifecycle method of one named container class, such as Tomcat's
 * {@code StandardServer.stopInternal()} (no arguments, unless said): the class is matched by name, so no hierarchy
 * is walked.
 */
public abstract class LifecycleHookPoint implements HookPoint {

    private final String className;
    private final String method;
    private final int arguments;
    private final Class<?> advice;

    protected LifecycleHookPoint(String className, String method, Class<?> advice) {
        this(className, method, 0, advice);
    }

    protected LifecycleHookPoint(String className, String method, int arguments, Class<?> advice) {
        this.className = className;
        this.method = method;
        this.arguments = arguments;
        this.advice = advice;
    }

    @Override
    public String name() {
        return className + "." + method;
    }

    @Override
    public String requiredClass() {
        return className;
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return named(className);
    }

    /** None: the class is matched by its name. */
    @Override
    public String superType() {
        return null;
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named(method).and(takesArguments(arguments)).and(not(isAbstract()));
    }

    @Override
    public Class<?> advice() {
        return advice;
    }
}
