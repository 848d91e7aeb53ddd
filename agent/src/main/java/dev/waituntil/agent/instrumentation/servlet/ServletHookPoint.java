package dev.waituntil.agent.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.waituntil.agent.hook.HookPoint;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * A hook point on an interface of the servlet API, in one of its two packages ({@code javax.servlet}
 * or {@code jakarta.servlet}): every class implementing it is a candidate. Subclasses say which method
 * and which advice.
 */
abstract class ServletHookPoint implements HookPoint {

    private final String servletPackage;
    private final String apiInterface;
    private final String method;

    ServletHookPoint(String servletPackage, String apiInterface, String method) {
        this.servletPackage = servletPackage;
        this.apiInterface = apiInterface;
        this.method = method;
    }

    @Override
    public String name() {
        return requiredClass() + "." + method;
    }

    @Override
    public String requiredClass() {
        return api(apiInterface);
    }

    /** Every class, not interface, that is or extends or implements {@link #superType()}. */
    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return not(isInterface()).and(hasSuperType(named(requiredClass())));
    }

    @Override
    public String superType() {
        return requiredClass();
    }

    /** The full name of a type of this servlet package, e.g. {@code api("ServletRequest")}. */
    String api(String simpleName) {
        return servletPackage + "." + simpleName;
    }

    String method() {
        return method;
    }
}
