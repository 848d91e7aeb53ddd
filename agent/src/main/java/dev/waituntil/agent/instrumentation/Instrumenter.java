package dev.waituntil.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.slf4j.Logger;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import dev.waituntil.agent.instrumentation.servlet.AsyncContextStartInstrumentation;
import dev.waituntil.agent.instrumentation.servlet.ContextDestroyedInstrumentation;
import dev.waituntil.agent.instrumentation.servlet.ServletDestroyInstrumentation;
import dev.waituntil.agent.instrumentation.servlet.FilterInstrumentation;
import dev.waituntil.agent.instrumentation.servlet.ServletServiceInstrumentation;
import dev.waituntil.agent.instrumentation.servlet.StartAsyncInstrumentation;
import dev.waituntil.agent.log.AgentLog;

/**
 * Installs every {@link HookPoint} with Byte Buddy, the way an agent that may be attached late must:
 * retransformation (classes already loaded are instrumented too), the decorate type strategy and no
 * class format changes (no new fields or methods, which a retransformation could not add), advice
 * inlined into the existing methods, a cheap pre-filter before any type-hierarchy matching, an
 * ignore list, and a listener that logs what could not be instrumented.
 */
public final class Instrumenter {

    private static final Logger LOG = AgentLog.get(Instrumenter.class);

    static final List<String> SERVLET_PACKAGES = Collections.unmodifiableList(Arrays.asList("javax.servlet", "jakarta.servlet"));

    private Instrumenter() {
    }

    /** Every hook point of this agent. */
    public static List<HookPoint> hookPoints() {
        List<HookPoint> points = new ArrayList<>();
        for (String servletPackage : SERVLET_PACKAGES) {
            points.add(new ServletServiceInstrumentation(servletPackage));
            points.add(new FilterInstrumentation(servletPackage));
            points.add(new AsyncContextStartInstrumentation(servletPackage));
            points.add(new StartAsyncInstrumentation(servletPackage));
            points.add(new ServletDestroyInstrumentation(servletPackage));
            points.add(new ContextDestroyedInstrumentation(servletPackage));
        }
        points.add(new dev.waituntil.agent.instrumentation.tomcat.ServerStartInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.tomcat.ServerStopInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.tomcat.EngineStopInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.tomcat.ContextStopInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.jetty.ServerStartInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.jetty.ServerStopInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.jetty.ContextStopInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.spring.TomcatWebServerStopInstrumentation());
        points.add(new dev.waituntil.agent.instrumentation.spring.JettyWebServerStopInstrumentation());
        return points;
    }

    public static ResettableClassFileTransformer install(Instrumentation instrumentation, List<HookPoint> points,
                                                         boolean debug) {
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(new ErrorLogger(debug))
                .ignore(ignored());
        for (HookPoint point : points) {
            builder = builder
                    .type(new PreFiltered(point.requiredClass(), point.types()))
                    .transform(new AgentBuilder.Transformer.ForAdvice()
                            .include(Instrumenter.class.getClassLoader())
                            .advice(point.methods(), point.advice().getName()));
        }
        return builder.installOn(instrumentation);
    }

    /**
     * Never instrumented, decided on the name alone: the JDK, bytecode libraries, our own agent, and
     * generated classes. Classes of the bootstrap loader are ignored by Byte Buddy's default already.
     */
    static ElementMatcher.Junction<TypeDescription> ignored() {
        return nameStartsWith("java.").or(nameStartsWith("javax.management."))
                .or(nameStartsWith("jdk.")).or(nameStartsWith("sun.")).or(nameStartsWith("com.sun."))
                .or(nameStartsWith("net.bytebuddy.")).or(nameStartsWith("dev.waituntil.agent."))
                .or(nameStartsWith("dev.waituntil.bootstrap."))
                .or(nameStartsWith("org.slf4j.")).or(nameStartsWith("ch.qos.logback."))
                .or(nameStartsWith("org.apache.logging.log4j.")).or(nameStartsWith("kotlin."))
                .or(nameStartsWith("scala.")).or(nameStartsWith("groovy.")).or(nameStartsWith("org.objectweb.asm."))
                .or(nameStartsWith("com.fasterxml.jackson.")).or(nameStartsWith("io.opentelemetry.javaagent."))
                .or(nameStartsWith("co.elastic.apm.agent.")).or(nameContains("$$Lambda")).or(nameContains("$Proxy"))
                .or(nameContains("CGLIB$$")).or(nameContains("$ByteBuddy$")).or(isSynthetic());
    }

    /**
     * The pre-filter, asked before any type-hierarchy matching: can the class loader see the hook
     * point's library at all? Asked once per loader and remembered weakly, so no loader is kept
     * alive by the answer. Most loaders of a JVM never see a servlet API, and their classes are then
     * passed over at the cost of one map lookup.
     */
    static final class PreFiltered implements AgentBuilder.RawMatcher {
        private final String resource;
        private final ElementMatcher<? super TypeDescription> types;
        private final Map<ClassLoader, Boolean> answers = Collections.synchronizedMap(new WeakHashMap<ClassLoader, Boolean>());

        PreFiltered(String requiredClass, ElementMatcher<? super TypeDescription> types) {
            this.resource = requiredClass.replace('.', '/') + ".class";
            this.types = types;
        }

        @Override
        public boolean matches(TypeDescription type, ClassLoader loader, JavaModule module, Class<?> beingRedefined,
                               java.security.ProtectionDomain domain) {
            return loader != null && canSee(loader) && types.matches(type);
        }

        private boolean canSee(ClassLoader loader) {
            Boolean known = answers.get(loader);
            if (known == null) {
                known = loader.getResource(resource) != null;
                answers.put(loader, known);
            }
            return known;
        }
    }

    /** Logs instrumentation failures; with debug, every class instrumented too. */
    private static final class ErrorLogger extends AgentBuilder.Listener.Adapter {
        private final boolean debug;

        ErrorLogger(boolean debug) {
            this.debug = debug;
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            if (debug) {
                LOG.info("wait-until: instrumented {}{}", type.getName(), loaded ? " (already loaded: retransformed)" : "");
            }
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            LOG.warn("wait-until: could not instrument {} ({}); requests it serves have no request scope", typeName,
                    error.toString());
        }
    }
}
