/**
 * Integration tests: each starts real JVMs (plain programs, Tomcat and Jetty distributions, embedded servers,
 * Spring Boot jars) with the agent and API jars as built.
 *
 * <p>A package per family of containers, each with an abstract base holding the scenarios and one {@code *IT}
 * class per version or variant: {@code tomcat} (the Tomcat distributions), {@code jetty} (the Jetty
 * distributions), {@code embedded} (Tomcat and Jetty embedded in a program), {@code spring} (Spring Boot jars and
 * a Spring WAR). Across containers: {@code api} (the API in a plain program, with the agent and without it),
 * {@code request} (what a task sees of its request), {@code capture} (work a legacy application hands to the JDK's
 * executors, with no API jar, on the distributions), {@code operations} (a running service: JMX, the watchdog,
 * redeploys, restarts, other agents beside ours). {@code support} is shared by all.
 *
 * <p>An abstract base is named for what its subclasses share and ends in {@code Tests}, never in {@code IT}
 * ({@code TomcatShutdownDrainTests} for {@code Tomcat10ShutdownDrainIT}, {@code ApiModeTests} for
 * {@code AgentSeamIT} and {@code StandaloneModeIT}), so that failsafe's includes and {@code -Dit.test}
 * patterns, which match simple class names in any package, pick only the concrete classes.
 */
package dev.waituntil.it;
