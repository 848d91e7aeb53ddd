package dev.waituntil.agent.instrumentation.servlet;

import net.bytebuddy.asm.Advice;

import dev.waituntil.bootstrap.ContainerHooks;

/** Inlined at the entry of {@code Servlet.destroy()} and {@code ServletContextListener.contextDestroyed()}. */
public final class ApplicationDestroyAdvice {

    private ApplicationDestroyAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object component) {
        ContainerHooks.applicationDestroying(component);
    }
}
