package dev.waituntil.it.request;

import dev.waituntil.it.support.Container;

/**
 * {@link RequestScopeTests} on Apache Tomcat 9.0 embedded (javax.servlet), applications
 * deployed with {@code tomcat.addWebapp}.
 */
class Tomcat9RequestScopeIT extends RequestScopeTests {

    Tomcat9RequestScopeIT() {
        super(Container.TOMCAT_9);
    }
}
