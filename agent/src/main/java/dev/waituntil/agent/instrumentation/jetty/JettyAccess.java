package dev.waituntil.agent.instrumentation.jetty;

import dev.waituntil.agent.hook.ContainerAccess;

/** Jetty's servers and context handlers, for the drain; read as {@link JettyObjects} reads them. */
public final class JettyAccess implements ContainerAccess {

    @Override
    public String name() {
        return "Jetty";
    }

    @Override
    public boolean isServer(Object object) {
        return JettyObjects.isServer(object);
    }

    @Override
    public int stopAccepting(Object server) throws ReflectiveOperationException {
        return JettyObjects.stopAccepting(server);
    }

    @Override
    public boolean stopsItselfAtJvmExit(Object server) throws ReflectiveOperationException {
        return JettyObjects.stopsItselfAtJvmExit(server);
    }

    @Override
    public boolean isContext(Object object) {
        return JettyObjects.isContext(object);
    }

    @Override
    public ClassLoader applicationLoader(Object context) throws ReflectiveOperationException {
        return JettyObjects.applicationLoader(context);
    }

    @Override
    public String contextPath(Object context) throws ReflectiveOperationException {
        return JettyObjects.contextPath(context);
    }
}
