package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

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
public final class TomcatBackgroundProcessInstrumentation extends LifecycleHookPoint {

    public TomcatBackgroundProcessInstrumentation() {
        super(
                "org.apache.catalina.core.ContainerBase$ContainerBackgroundProcessor",
                "processChildren",
                1,
                PassOverAdvice.class);
    }

    /**
     * Inlined at the entry of {@code processChildren(Container)}: skips the method for an application the agent is
     * draining, before Tomcat binds that application's class loader to the thread.
     */
    public static final class PassOverAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.Argument(0) Object container) {
            return ContainerHooks.tomcatBackgroundProcessPassesOver(container);
        }
    }
}
