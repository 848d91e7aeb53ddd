package dev.waituntil.it;

import dev.waituntil.it.support.Container;

/**
 * {@link ContainerRequestScopeTests} on Apache Tomcat 9.0 embedded (javax.servlet), applications
 * deployed with {@code tomcat.addWebapp}.
 */
class Tomcat9RequestScopeIT extends ContainerRequestScopeTests {

    Tomcat9RequestScopeIT() {
        super(Container.TOMCAT_9);
    }
}
