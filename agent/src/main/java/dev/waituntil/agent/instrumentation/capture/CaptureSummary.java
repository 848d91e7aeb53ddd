package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import java.util.ArrayList;
import java.util.List;

/** What capture covers under the settings in force, for the start-up log. */
public final class CaptureSummary {

    private CaptureSummary() {}

    /** @param disabledGroups the groups switched off, as {@code Instrumenter.disabledGroups} names them */
    public static String describe(Config config, List<String> disabledGroups) {
        if (!ExecutorCapture.capturesExecutors(config)) {
            return "off (waituntil.capture=none)";
        }
        if (disabledGroups.contains("capture")) {
            return "off (waituntil.instrumentation.capture.enabled=false)";
        }
        List<String> excluded = new ArrayList<String>(ExecutorCapture.BUILT_IN_EXCLUSIONS);
        excluded.addAll(config.list(Setting.CAPTURE_EXCLUDE));
        return "work handed over in a request or a tracked task to ThreadPoolExecutor (and the Executors pools), "
                + "ForkJoinPool (the common pool included) and CompletableFuture's async stages is tracked until it "
                + "has run; never schedule*, nor tasks or executors whose class starts with "
                + String.join(", ", excluded);
    }
}
