package dev.waituntil.it.request;

import dev.waituntil.it.support.Container;

/**
 * {@link RequestScopeTests} on Apache Tomcat 10.1 embedded (jakarta.servlet), applications
 * deployed with {@code tomcat.addWebapp}.
 */
class Tomcat10RequestScopeIT extends RequestScopeTests {

    Tomcat10RequestScopeIT() {
        super(Container.TOMCAT_10);
    }
}
