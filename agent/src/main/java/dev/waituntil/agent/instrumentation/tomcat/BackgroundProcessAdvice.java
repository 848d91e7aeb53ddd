package dev.waituntil.agent.instrumentation.tomcat;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/**
 * Inlined at the entry of Tomcat's {@code ContainerBackgroundProcessor.processChildren(Container)}: skips the method
 * for an application the agent is draining, before Tomcat binds that application's class loader to the thread.
 */
public final class BackgroundProcessAdvice {

    private BackgroundProcessAdvice() {
    }

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@Advice.Argument(0) Object container) {
        return ContainerHooks.tomcatBackgroundProcessPassesOver(container);
    }
}
