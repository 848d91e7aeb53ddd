package dev.waituntil.agent.instrumentation.capture;

import dev.waituntil.agent.bridge.RuntimeBridge;
import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.instrumentation.servlet.ServletRequests;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.bootstrap.CaptureHooks;
import dev.waituntil.bootstrap.ServletHooks;

/**
 * What the agent installs into the bootstrap hooks for capture, for {@link ExecutorCaptureTest}. A class of its own:
 * verifying a class that hands an agent object to a bootstrap hook loads the hook's interface, and the test class is
 * verified before it has put the bootstrap package on the bootstrap class path.
 */
final class CaptureTargets {

    private static ServletRequests requests;
    private static RuntimeBridge bridge;

    private CaptureTargets() {}

    static void install(TaskRuntime runtime) {
        requests = new ServletRequests(runtime, false);
        ServletHooks.install(requests);
        bridge = new RuntimeBridge(runtime, requests);
    }

    /** Registers {@code future} as {@code WaitUntil.register} does under the agent: in the request on this thread. */
    static void register(String label, Object future) {
        bridge.register(label, future);
    }

    /** Captures as {@code config} says from now on. */
    static void capture(TaskRuntime runtime, Config config) {
        CaptureHooks.install(new ExecutorCapture(runtime, requests, config));
    }
}
