package dev.waituntil.agent.instrumentation.spring;

import java.util.Collections;
import java.util.List;

import dev.waituntil.agent.hook.HookPoint;

/** Spring's application context, whatever runs it: its close. */
public final class SpringInstrumentations {

    private SpringInstrumentations() {
    }

    public static List<HookPoint> hookPoints() {
        return Collections.<HookPoint>singletonList(new SpringContextCloseInstrumentation());
    }
}
