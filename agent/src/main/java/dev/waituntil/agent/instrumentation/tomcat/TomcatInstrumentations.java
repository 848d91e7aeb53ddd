package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.HookPoint;
import java.util.Arrays;
import java.util.List;

/** Tomcat 9.0, 10.1 and 11.0: the server's start and stop, the Engine's stop, an application's stop. */
public final class TomcatInstrumentations {

    private TomcatInstrumentations() {}

    public static List<HookPoint> hookPoints() {
        return Arrays.<HookPoint>asList(
                new TomcatServerStartInstrumentation(),
                new TomcatServerStopInstrumentation(),
                new TomcatEngineStopInstrumentation(),
                new TomcatContextStopInstrumentation(),
                new TomcatBackgroundProcessInstrumentation());
    }
}
