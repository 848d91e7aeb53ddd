package dev.waituntil.it;

import dev.waituntil.it.support.Container;

/**
 * {@link ContainerRequestScopeTests} on Apache Tomcat 10.1 embedded (jakarta.servlet), applications
 * deployed with {@code tomcat.addWebapp}.
 */
class Tomcat10RequestScopeIT extends ContainerRequestScopeTests {

    Tomcat10RequestScopeIT() {
        super(Container.TOMCAT_10);
    }
}
