package dev.waituntil.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;

import dev.waituntil.agent.config.Config;
import dev.waituntil.agent.config.Setting;
import dev.waituntil.agent.hook.HookPoint;
import dev.waituntil.agent.instrumentation.capture.CaptureInstrumentations;
import dev.waituntil.agent.instrumentation.capture.ExecutorCapture;
import dev.waituntil.agent.instrumentation.jetty.JettyInstrumentations;
import dev.waituntil.agent.instrumentation.servlet.ServletInstrumentations;
import dev.waituntil.agent.instrumentation.spring.SpringInstrumentations;
import dev.waituntil.agent.instrumentation.tomcat.TomcatInstrumentations;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Installs every {@link HookPoint} with Byte Buddy ({@link HookTransformer}), the way an agent that may be attached
 * late must: retransformation (classes already loaded are instrumented too), the declared methods rewritten and no
 * class format changes (no new fields or methods, which a retransformation could not add), advice inlined into the
 * existing methods, a filter on the class file's header and a cheap pre-filter before any type-hierarchy matching,
 * an ignore list, and a warning for what could not be instrumented.
 */
public final class Instrumenter {

    /** The agent's own classes, Byte Buddy's relocated copy included: never instrumented (see {@link #ignored()}). */
    static final String OWN_PACKAGE = "dev.waituntil.agent.";

    private Instrumenter() {}

    /** Every hook point of this agent, as installed with the default settings. */
    public static List<HookPoint> hookPoints() {
        return hookPoints(Config.defaults());
    }

    /** The hook points of the groups that {@code config} leaves switched on. */
    public static List<HookPoint> hookPoints(Config config) {
        List<HookPoint> points = new ArrayList<HookPoint>();
        for (Group group : groups()) {
            if (group.enabled(config)) {
                points.addAll(group.points);
                if (group.setting == Setting.INSTRUMENTATION_CAPTURE && ExecutorCapture.capturesThreads(config)) {
                    points.addAll(CaptureInstrumentations.threadHookPoints());
                }
            }
        }
        return points;
    }

    /** The names of the groups that {@code config} switches off ({@code tomcat}, ...), for the start-up log. */
    public static List<String> disabledGroups(Config config) {
        List<String> names = new ArrayList<String>();
        for (Group group : groups()) {
            if (!group.enabled(config)) {
                names.add(group.name());
            }
        }
        return names;
    }

    /** Each group of hook points, in the order they are installed, with the setting that switches it. */
    private static List<Group> groups() {
        return Arrays.asList(
                new Group(Setting.INSTRUMENTATION_SERVLET, ServletInstrumentations.hookPoints()),
                new Group(Setting.INSTRUMENTATION_TOMCAT, TomcatInstrumentations.hookPoints()),
                new Group(Setting.INSTRUMENTATION_JETTY, JettyInstrumentations.hookPoints()),
                new Group(Setting.INSTRUMENTATION_SPRING, SpringInstrumentations.hookPoints()),
                new Group(Setting.INSTRUMENTATION_CAPTURE, CaptureInstrumentations.hookPoints()));
    }

    private static final class Group {
        private static final String PREFIX = "instrumentation.";
        private static final String SUFFIX = ".enabled";

        final Setting setting;
        final List<HookPoint> points;

        Group(Setting setting, List<HookPoint> points) {
            this.setting = setting;
            this.points = points;
        }

        /** Switched on by its setting; the capture group also by {@code waituntil.capture}, unless {@code none}. */
        boolean enabled(Config config) {
            return config.flag(setting)
                    && (setting != Setting.INSTRUMENTATION_CAPTURE || ExecutorCapture.capturesExecutors(config));
        }

        /** {@code tomcat} of {@code instrumentation.tomcat.enabled}. */
        String name() {
            String key = setting.key();
            return key.substring(PREFIX.length(), key.length() - SUFFIX.length());
        }
    }

    /** The agent's transformer, made and warming up ({@link #prepare}), not yet added ({@link #install}). */
    public static final class Prepared {
        final HookTransformer transformer;

        Prepared(HookTransformer transformer) {
            this.transformer = transformer;
        }

        /**
         * Runs {@code action} when Byte Buddy's warm-up has finished, on its thread, or at once if it has: start-up
         * work that need not compete with the warm-up for the processors.
         */
        public void afterWarmUp(Runnable action) {
            transformer.afterWarmUp(action);
        }
    }

    /**
     * Makes the agent's transformer ({@link HookTransformer}) for {@code points} and starts its warm-up on a thread
     * of its own. Call after the bootstrap classes have been injected.
     */
    public static Prepared prepare(List<HookPoint> points) {
        HookTransformer transformer = new HookTransformer(points);
        transformer.warmUpInBackground();
        return new Prepared(transformer);
    }

    /**
     * Adds the prepared transformer with retransformation, so that a late attach can instrument classes already
     * loaded, and retransforms those that a hook point matches.
     */
    public static ClassFileTransformer install(Instrumentation instrumentation, Prepared prepared, boolean debug) {
        HookTransformer transformer = prepared.transformer;
        transformer.debug(debug);
        if (transformer.instrumentsJdkClasses()) {
            JavaBaseReads.bootstrapPackage(instrumentation);
        }
        instrumentation.addTransformer(transformer, true);
        transformer.retransformLoaded(instrumentation);
        return transformer;
    }

    /**
     * Names never instrumented: these prefixes... Other agents' own packages among them (OpenTelemetry's, Datadog's,
     * Elastic's): they inject helper classes into the applications' loaders, some implementing the servlet API's
     * types, whose super types live in the agent's own loader; instrumenting them would serve no request and could
     * only get in that agent's way.
     */
    private static final String[] IGNORED_PREFIXES = {
        "java.",
        "javax.management.",
        "jdk.",
        "sun.",
        "com.sun.",
        "net.bytebuddy.",
        OWN_PACKAGE,
        "dev.waituntil.bootstrap.",
        "org.slf4j.",
        "ch.qos.logback.",
        "org.apache.logging.log4j.",
        "kotlin.",
        "scala.",
        "groovy.",
        "org.objectweb.asm.",
        "com.fasterxml.jackson.",
        "io.opentelemetry.javaagent.",
        "datadog.",
        "com.datadog.",
        "co.elastic.apm."
    };
    /** ...and names with these in them: generated classes. */
    private static final String[] IGNORED_PARTS = {"$$Lambda", "$Proxy", "CGLIB$$", "$ByteBuddy$"};

    /**
     * Never instrumented, decided on the name alone: the JDK, bytecode libraries, our own agent, other agents, and
     * generated classes; and synthetic classes. The bootstrap loader's classes are never instrumented either
     * ({@link PreFiltered}).
     */
    static ElementMatcher.Junction<TypeDescription> ignored() {
        return new ElementMatcher.Junction.AbstractBase<TypeDescription>() {
            @Override
            public boolean matches(TypeDescription target) {
                return isIgnoredName(target.getName());
            }
        }.or(isSynthetic());
    }

    /** Whether a class of this name is never instrumented (see {@link #ignored()}). */
    static boolean isIgnoredName(String name) {
        for (String prefix : IGNORED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        for (String part : IGNORED_PARTS) {
            if (name.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The pre-filter, asked before any type-hierarchy matching: can the class loader see the hook
     * point's library at all? Asked once per loader and remembered weakly, so no loader is kept
     * alive by the answer. Most loaders of a JVM never see a servlet API, and their classes are then
     * passed over at the cost of one map lookup.
     */
    static final class PreFiltered implements AgentBuilder.RawMatcher {
        private final String resource;
        private final TypeCheck types;
        private final Map<ClassLoader, Boolean> answers =
                Collections.synchronizedMap(new WeakHashMap<ClassLoader, Boolean>());

        PreFiltered(String requiredClass, ElementMatcher<? super TypeDescription> types) {
            this(requiredClass, TypeCheck.of(types));
        }

        PreFiltered(String requiredClass, TypeCheck types) {
            this.resource = requiredClass.replace('.', '/') + ".class";
            this.types = types;
        }

        @Override
        public boolean matches(
                TypeDescription type,
                ClassLoader loader,
                JavaModule module,
                Class<?> beingRedefined,
                java.security.ProtectionDomain domain) {
            return loader != null && canSee(loader) && types.matches(type, loader);
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

    /**
     * The matcher of a hook point on a JDK class ({@link HookPoint#jdkClass()}): the bootstrap loader's class of that
     * name, and no other loader's.
     */
    static final class JdkClass implements AgentBuilder.RawMatcher {
        private final ElementMatcher<? super TypeDescription> types;

        JdkClass(ElementMatcher<? super TypeDescription> types) {
            this.types = types;
        }

        @Override
        public boolean matches(
                TypeDescription type,
                ClassLoader loader,
                JavaModule module,
                Class<?> beingRedefined,
                java.security.ProtectionDomain domain) {
            return loader == null && types.matches(type);
        }
    }

    /** The type matching after the pre-filter; it may use the loader, which is not null. */
    interface TypeCheck {
        boolean matches(TypeDescription type, ClassLoader loader);

        /** A matcher that decides on the type alone. */
        static TypeCheck of(final ElementMatcher<? super TypeDescription> matcher) {
            return new TypeCheck() {
                @Override
                public boolean matches(TypeDescription type, ClassLoader loader) {
                    return matcher.matches(type);
                }
            };
        }
    }

    /**
     * {@code not(isInterface()).and(hasSuperType(named(superType)))}, the matcher of {@link HookPoint#types()} for
     * hook points on the servlet API's interfaces, answered by {@link SuperTypes}, which remembers the super types it
     * has seen per class loader.
     */
    static final class SubtypeCheck implements TypeCheck {
        private final SuperTypes superTypes;
        private final int bit;

        SubtypeCheck(SuperTypes superTypes, String superType) {
            this.superTypes = superTypes;
            this.bit = superTypes.bitOf(superType);
        }

        @Override
        public boolean matches(TypeDescription type, ClassLoader loader) {
            return !type.isInterface() && (superTypes.of(type, loader) & bit) != 0;
        }
    }
}
