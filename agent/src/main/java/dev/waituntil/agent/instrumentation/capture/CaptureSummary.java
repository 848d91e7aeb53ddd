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
        String threads = ExecutorCapture.capturesThreads(config)
                ? "; so are threads started there with Thread.start(), virtual ones included, until their run has "
                        + "ended, unless the JDK (its pools' workers, timers) or an excluded class starts them"
                : "; threads started with Thread.start() are not (waituntil.capture=executors,threads would)";
        return "work handed over in a request or a tracked task to ThreadPoolExecutor (and the Executors pools), "
                + "ForkJoinPool (the common pool included), the thread-per-task executors (JDK 21+), "
                + "CompletableFuture's async stages and Spring's SimpleAsyncTaskExecutor and "
                + "VirtualThreadTaskExecutor is tracked until it has run" + threads
                + "; never schedule*, nor tasks, executors or threads whose class starts with "
                + String.join(", ", excluded);
    }
}
