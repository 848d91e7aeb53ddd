package dev.waituntil.agent.instrumentation.spring;

import dev.waituntil.agent.hook.LifecycleHookPoint;
import dev.waituntil.bootstrap.ContainerHooks;
import net.bytebuddy.asm.Advice;

/**
 * Spring's {@code AbstractApplicationContext.doClose()}: every way a Spring context closes (its own JVM hook, an
 * explicit {@code close()}, a WAR's {@code ContextLoaderListener}) comes here before the context publishes
 * {@code ContextClosedEvent}, stops its lifecycle beans (the web server and its own task executors among them) and
 * destroys its beans. The class and the method have kept their names since Spring 3, while Spring Boot moved its web
 * server classes between packages: this point holds for Boot 2, 3 and 4 and for a Spring application in a WAR.
 */
public final class SpringContextCloseInstrumentation extends LifecycleHookPoint {

    public SpringContextCloseInstrumentation() {
        super("org.springframework.context.support.AbstractApplicationContext", "doClose", CloseAdvice.class);
    }

    /** Inlined at the entry of {@code doClose()}. */
    public static final class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object context) {
            ContainerHooks.springContextClosing(context);
        }
    }
}
