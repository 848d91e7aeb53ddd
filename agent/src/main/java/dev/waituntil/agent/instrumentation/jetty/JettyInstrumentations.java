package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.hook.HookPoint;
import java.util.Arrays;
import java.util.List;

/** Jetty 9.4 to 12.1: the server's start and stop, an application's stop. */
public final class JettyInstrumentations {

    private JettyInstrumentations() {}

    public static List<HookPoint> hookPoints() {
        return Arrays.<HookPoint>asList(
                new JettyServerStartInstrumentation(),
                new JettyServerStopInstrumentation(),
                new JettyContextStopInstrumentation());
    }
}
