package dev.waituntil.agent.instrumentation.spring;

import dev.waituntil.agent.hook.HookPoint;
import java.util.Collections;
import java.util.List;

/** Spring's application context, whatever runs it: its close. */
public final class SpringInstrumentations {

    private SpringInstrumentations() {}

    public static List<HookPoint> hookPoints() {
        return Collections.<HookPoint>singletonList(new SpringContextCloseInstrumentation());
    }
}
