package dev.waituntil.it.request;

import dev.waituntil.it.support.Container;

/**
 * {@link RequestScopeTests} on Eclipse Jetty 12 (ee10 environment, jakarta.servlet), embedded,
 * one {@code WebAppContext} per application.
 */
class Jetty12RequestScopeIT extends RequestScopeTests {

    Jetty12RequestScopeIT() {
        super(Container.JETTY_12);
    }
}
