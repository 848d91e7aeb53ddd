package dev.waituntil.it;

import dev.waituntil.it.support.Container;

/**
 * {@link ContainerRequestScopeTests} on Eclipse Jetty 12 (ee10 environment, jakarta.servlet), embedded,
 * one {@code WebAppContext} per application.
 */
class Jetty12RequestScopeIT extends ContainerRequestScopeTests {

    Jetty12RequestScopeIT() {
        super(Container.JETTY_12);
    }
}
