package dev.waituntil.agent;

import dev.waituntil.agent.bridge.BootstrapInjector;
import dev.waituntil.agent.bridge.RuntimeBridge;
import dev.waituntil.agent.instrumentation.ContainerDrains;
import dev.waituntil.agent.instrumentation.ContainerHookDispatch;
import dev.waituntil.agent.instrumentation.capture.ExecutorCapture;
import dev.waituntil.agent.instrumentation.jetty.JettyAccess;
import dev.waituntil.agent.instrumentation.servlet.ServletRequests;
import dev.waituntil.agent.instrumentation.tomcat.TomcatAccess;
import dev.waituntil.agent.runtime.TaskRuntime;
import dev.waituntil.bootstrap.CaptureHooks;
import dev.waituntil.bootstrap.ContainerHooks;
import dev.waituntil.bootstrap.ServletHooks;
import dev.waituntil.bootstrap.WaitUntilBridge;
import java.util.Arrays;

/**
 * Makes one runtime the one that every API copy and every hook reaches, through the bootstrap classes. Use only
 * after {@link BootstrapInjector#inject}: this class is the first to use the bootstrap types, so the JVM resolves
 * them from the bootstrap path rather than from the agent jar on the class path.
 */
final class BootstrapTargets {

    private BootstrapTargets() {}

    /** @return what the container hooks reach, for the JVM shutdown hook */
    static ContainerDrains install(TaskRuntime runtime) {
        ServletRequests requests = new ServletRequests(runtime, runtime.isDebug());
        ServletHooks.install(requests);
        // Tomcat first: a Tomcat object is known by its interfaces, a Jetty one by the methods the drain reads
        ContainerDrains drains = new ContainerDrains(runtime, Arrays.asList(new TomcatAccess(), new JettyAccess()));
        ContainerHooks.install(new ContainerHookDispatch(drains));
        WaitUntilBridge.install(new RuntimeBridge(runtime, requests));
        CaptureHooks.install(new ExecutorCapture(runtime, requests, runtime.config()));
        return drains;
    }
}
