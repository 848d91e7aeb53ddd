package dev.waituntil.agent.instrumentation.tomcat;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import dev.waituntil.agent.instrumentation.HookPoint;

/**
 * {@code ContainerBase.ContainerBackgroundProcessor.processChildren(Container)}, Tomcat's periodic background work
 * (the utility thread, every 10 s by default). For an application it first binds the application's class loader to
 * the thread, then calls the context's {@code backgroundProcess()}, which is synchronized on the context, as is
 * {@code stop()}. While the agent drains an application in its {@code stopInternal()}, that call waits on the
 * context for the whole drain, holding the loader; the stop's leak check then sees the utility thread and warns
 * that the application "appears to have started a thread named [Catalina-utility-1]". The agent makes the
 * background processor pass over an application it is draining: there is nothing to process in an application
 * that is stopping.
 *
 * <p>In Tomcat 9.0, 10.1 and 11.0 the method has this name and one {@code Container} argument.
 */
public final class BackgroundProcessInstrumentation implements HookPoint {

    static final String PROCESSOR = "org.apache.catalina.core.ContainerBase$ContainerBackgroundProcessor";

    @Override
    public String name() {
        return PROCESSOR + ".processChildren";
    }

    @Override
    public String requiredClass() {
        return PROCESSOR;
    }

    @Override
    public ElementMatcher<? super TypeDescription> types() {
        return named(PROCESSOR);
    }

    /** None: the class is matched by its name. */
    @Override
    public String superType() {
        return null;
    }

    @Override
    public ElementMatcher<? super MethodDescription> methods() {
        return named("processChildren").and(takesArguments(1));
    }

    @Override
    public Class<?> advice() {
        return BackgroundProcessAdvice.class;
    }
}
