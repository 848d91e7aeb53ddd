package dev.waituntil.agent.instrumentation;

import dev.waituntil.agent.instrumentation.jetty.JettyServerStopInstrumentation;
import dev.waituntil.agent.instrumentation.tomcat.TomcatEngineStopInstrumentation;
import dev.waituntil.agent.instrumentation.tomcat.TomcatServerStopInstrumentation;
import dev.waituntil.bootstrap.ContainerHookTarget;

/**
 * Where the container advice lands: a server stop goes to its container's hook point, which decides what of the
 * drain runs at that moment of that container's stop; everything else goes straight to the drain.
 */
public final class ContainerHookDispatch implements ContainerHookTarget {

    private final ContainerDrains drains;

    public ContainerHookDispatch(ContainerDrains drains) {
        this.drains = drains;
    }

    @Override
    public void serverStarting(Object server) {
        drains.serverStarting(server);
    }

    @Override
    public void tomcatServerStopping(Object server) {
        TomcatServerStopInstrumentation.serverStopping(drains);
    }

    @Override
    public void tomcatContainerStopping(Object container) {
        TomcatEngineStopInstrumentation.containerStopping(drains, container);
    }

    @Override
    public void jettyServerStopping(Object server) {
        JettyServerStopInstrumentation.serverStopping(drains, server);
    }

    @Override
    public void springContextClosing(Object context) {
        drains.springContextClosing(context);
    }

    @Override
    public void applicationStopping(Object context) {
        drains.applicationStopping(context);
    }

    @Override
    public void applicationDestroying(Object component) {
        drains.applicationDestroying(component);
    }

    @Override
    public void tomcatContextStopping(Object context) {
        drains.tomcatContextStopping(context);
    }

    @Override
    public void tomcatContextStopped(Object context) {
        drains.tomcatContextStopped(context);
    }

    @Override
    public boolean isDrainingApplication(Object context) {
        return drains.isDrainingApplication(context);
    }
}
