package dev.waituntil.benchmarks.servlet;

import java.lang.reflect.Method;

/** Whether this thread is inside the agent's request scope: asks the agent's bootstrap class, by reflection. */
public final class RequestScopeProbe {

    private RequestScopeProbe() {}

    public static boolean inRequestScope() {
        Class<?> context;
        try {
            context = Class.forName("dev.waituntil.bootstrap.RequestContext", false, null);
        } catch (ClassNotFoundException e) {
            return false; // no agent: its bootstrap classes are absent
        }
        try {
            Method active = context.getMethod("active");
            return active.invoke(null) != null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the agent's RequestContext has changed shape", e);
        }
    }

    /** Fails unless the agent is attached exactly when the fork was started with it: no figure may be mislabelled. */
    public static boolean checkAgent() {
        boolean expected = Boolean.getBoolean("benchmark.agent");
        boolean attached = dev.waituntil.WaitUntil.isAgentActive();
        if (attached != expected) {
            throw new IllegalStateException("this fork should run " + (expected ? "with" : "without")
                    + " the agent, but WaitUntil.isAgentActive() is " + attached);
        }
        return attached;
    }
}
