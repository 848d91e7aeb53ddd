package dev.waituntil.agent.instrumentation.tomcat;

import dev.waituntil.agent.hook.ContainerAccess;

/** Tomcat's servers and contexts, for the drain; read as {@link TomcatObjects} reads them. */
public final class TomcatAccess implements ContainerAccess {

    @Override
    public String name() {
        return "Tomcat";
    }

    @Override
    public boolean isServer(Object object) {
        return TomcatObjects.isServer(object);
    }

    @Override
    public int stopAccepting(Object server) throws ReflectiveOperationException {
        return TomcatObjects.stopAccepting(server);
    }

    @Override
    public boolean stopsItselfAtJvmExit(Object server) throws ReflectiveOperationException {
        return TomcatObjects.stopsItselfAtJvmExit(server);
    }

    /** Also Spring Boot's {@code TomcatEmbeddedContext}. */
    @Override
    public boolean isContext(Object object) {
        return TomcatObjects.isContext(object);
    }

    @Override
    public ClassLoader applicationLoader(Object context) throws ReflectiveOperationException {
        return TomcatObjects.applicationLoader(context);
    }

    @Override
    public String contextPath(Object context) throws ReflectiveOperationException {
        return TomcatObjects.contextPath(context);
    }
}
