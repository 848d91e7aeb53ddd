package dev.waituntil.agent.instrumentation;

import dev.waituntil.agent.hook.HookPoint;
import dev.waituntil.agent.log.AgentLog;
import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;
import org.slf4j.Logger;

/**
 * The agent's one {@link ClassFileTransformer}: every class the JVM loads or retransforms passes here, and the few
 * that a {@link HookPoint} matches get its advice inlined with Byte Buddy.
 *
 * <p>It does for these hook points what Byte Buddy's {@code AgentBuilder} did for them, with the same pieces and
 * settings: a thread-local guard against transforming while transforming, the hybrid description strategy (a loaded
 * class described by reflection, a class being loaded by its class file, with the fast lazy type pool of the class
 * file and its loader), the ignore rules, the hook points' matchers behind their pre-filter, no class format
 * changes, each matching hook point's advice applied to its methods ({@code Advice.withCustomMapping()}, the default
 * assigner, exceptions suppressed; written by {@link AdviceWeaver}, which copies the other methods as they are,
 * where Byte Buddy's {@code decorate} rewrote them all), the fallback to the class file
 * when describing a loaded class fails on a missing optional type, and one warning per class that could not be
 * instrumented. What it leaves out is {@code AgentBuilder} itself. Building one cost about two thirds of the agent's
 * premain: its default constructor, and on Java 9 and later the class it generates and loads to receive the
 * {@code Module} argument of {@code transform}, which the agent has no use for (no matcher looks at modules). Byte
 * Buddy's type pool and {@code Advice} are set up by a warm-up on a thread of its own ({@link WarmUp}).
 *
 * <p>Before any of that, {@link LoadTimeFilter} passes over the classes that no hook point could match, from the
 * class file's header: nearly all of them.
 *
 * <p>Beside another agent, a class may name a super type that has no class file (the OpenTelemetry agent's
 * generated interfaces). Nothing here needs to resolve one: {@link SuperTypes} answers the matching from the loaded
 * class or counts it as none of ours, the lazy type pool only names it, and the advice goes into the declared
 * methods without walking the hierarchy. So such a class is instrumented as any other, with no warning.
 */
final class HookTransformer implements ClassFileTransformer {

    private static final Logger LOG = AgentLog.get(HookTransformer.class);

    /** Set while this thread transforms: a class loaded meanwhile (Byte Buddy's own, say) is passed over. */
    private static final ThreadLocal<Boolean> TRANSFORMING = new ThreadLocal<Boolean>();

    private final List<HookPoint> points;
    private final SuperTypes superTypes;
    /**
     * Each hook point's matcher, made by the warm-up ({@link #matchers()}): making them loads some 60 classes of Byte
     * Buddy's, which need not hold up the application's main thread in premain. The filter before them needs names
     * only.
     */
    private volatile AgentBuilder.RawMatcher[] matchers;
    /** The JDK classes that hook points name ({@link HookPoint#jdkClass()}): the bootstrap classes instrumented. */
    private final Set<String> jdkClasses = new HashSet<String>();

    private final LoadTimeFilter filter;
    /** Set when the transformer is added: with debug, every class instrumented is logged. */
    private volatile boolean debug;
    /** Set up with the first class instrumented, or by the warm-up. */
    private volatile Tools tools;

    private final WarmUp warmUp = new WarmUp();

    HookTransformer(List<HookPoint> points) {
        this.points = new ArrayList<HookPoint>(points);
        List<String> superTypeNames = new ArrayList<String>();
        List<String> namedClasses = new ArrayList<String>();
        for (HookPoint point : points) {
            if (point.jdkClass()) {
                jdkClasses.add(point.requiredClass());
            } else if (point.superType() != null) {
                superTypeNames.add(point.superType());
            } else {
                namedClasses.add(point.requiredClass());
            }
        }
        this.superTypes = new SuperTypes(superTypeNames);
        this.filter = new LoadTimeFilter(namedClasses, superTypeNames, superTypes);
    }

    private AgentBuilder.RawMatcher[] matchers() {
        AgentBuilder.RawMatcher[] made = matchers;
        if (made == null) {
            synchronized (this) {
                made = matchers;
                if (made == null) {
                    made = makeMatchers();
                    matchers = made;
                }
            }
        }
        return made;
    }

    private AgentBuilder.RawMatcher[] makeMatchers() {
        AgentBuilder.RawMatcher[] made = new AgentBuilder.RawMatcher[points.size()];
        for (int i = 0; i < made.length; i++) {
            HookPoint point = points.get(i);
            if (point.jdkClass()) {
                made[i] = new Instrumenter.JdkClass(point.types());
                continue;
            }
            Instrumenter.TypeCheck check = point.superType() == null
                    ? Instrumenter.TypeCheck.of(point.types())
                    : new Instrumenter.SubtypeCheck(superTypes, point.superType());
            made[i] = new Instrumenter.PreFiltered(point.requiredClass(), check);
        }
        return made;
    }

    void debug(boolean on) {
        this.debug = on;
    }

    /** Whether a hook point is on a class of the JDK ({@link HookPoint#jdkClass()}). */
    boolean instrumentsJdkClasses() {
        return !jdkClasses.isEmpty();
    }

    @Override
    public byte[] transform(
            ClassLoader loader,
            String internalName,
            Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain,
            byte[] classFile) {
        if (internalName == null || TRANSFORMING.get() != null) {
            return null;
        }
        TRANSFORMING.set(Boolean.TRUE);
        String name = internalName.replace('/', '.');
        try {
            boolean jdkClass = loader == null && jdkClasses.contains(name);
            if (!jdkClass && (Instrumenter.isIgnoredName(name) || !filter.mayMatch(name, classFile, loader))) {
                return null;
            }
            if (!warmUp.await()) {
                LOG.warn(
                        "wait-until: could not instrument {} (Byte Buddy's warm-up on the thread wait-until-warmup did "
                                + "not finish within {} s); requests it serves have no request scope",
                        name,
                        WarmUp.WAIT_SECONDS);
                return null;
            }
            return instrument(name, loader, classBeingRedefined, protectionDomain, classFile);
        } catch (Throwable e) {
            LOG.warn(
                    "wait-until: could not instrument {} ({}); requests it serves have no request scope",
                    name,
                    e.toString());
            return null;
        } finally {
            TRANSFORMING.remove();
        }
    }

    private byte[] instrument(
            String name,
            ClassLoader loader,
            Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain,
            byte[] classFile) {
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(name, classFile), ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = AgentBuilder.PoolStrategy.Default.FAST.typePool(locator, loader, name);
        try {
            return instrument(
                    describe(name, classBeingRedefined, pool),
                    loader,
                    classBeingRedefined,
                    protectionDomain,
                    classFile,
                    pool);
        } catch (Throwable e) {
            if (classBeingRedefined != null
                    && AgentBuilder.FallbackStrategy.ByThrowableType.ofOptionalTypes()
                            .isFallback(classBeingRedefined, e)) {
                return instrument(
                        describe(name, null, pool), loader, classBeingRedefined, protectionDomain, classFile, pool);
            }
            throw rethrow(e);
        }
    }

    /** A loaded class by reflection, a class being loaded by its class file: Byte Buddy's hybrid description strategy. */
    private static TypeDescription describe(String name, Class<?> loaded, TypePool pool) {
        return loaded == null ? pool.describe(name).resolve() : TypeDescription.ForLoadedType.of(loaded);
    }

    private byte[] instrument(
            TypeDescription type,
            ClassLoader loader,
            Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain,
            byte[] classFile,
            TypePool pool) {
        if (type.isSynthetic()) {
            return null; // ignored, as ever
        }
        AsmVisitorWrapper.ForDeclaredMethods advice = null;
        AgentBuilder.RawMatcher[] matchers = matchers();
        for (int i = 0; i < matchers.length; i++) {
            if (matchers[i].matches(type, loader, null, classBeingRedefined, protectionDomain)) {
                HookPoint point = points.get(i);
                advice = (advice == null ? new AsmVisitorWrapper.ForDeclaredMethods() : advice)
                        .invokable(point.methods(), tools().advice(point));
            }
        }
        if (advice == null) {
            return null;
        }
        byte[] instrumented = AdviceWeaver.weave(type, classFile, advice, pool);
        if (debug) {
            LOG.info(
                    "wait-until: instrumented {}{}",
                    type.getName(),
                    classBeingRedefined != null ? " (already loaded: retransformed)" : "");
        }
        return instrumented;
    }

    /**
     * Retransforms the classes already loaded that a hook point matches (after a late attach: the servlet API, the
     * container). At premain there are none but the JDK's own (the executors), which are retransformed once the
     * warm-up has finished; the pass costs a look at the names of the classes loaded so far.
     */
    void retransformLoaded(final Instrumentation instrumentation) {
        List<Class<?>> matching = new ArrayList<Class<?>>();
        final List<Class<?>> jdk = new ArrayList<Class<?>>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            ClassLoader loader = type.getClassLoader();
            if (loader == null && jdkClasses.contains(type.getName()) && instrumentation.isModifiableClass(type)) {
                jdk.add(type); // named: nothing else to match
                continue;
            }
            if (loader == null
                    || Instrumenter.isIgnoredName(type.getName())
                    || !instrumentation.isModifiableClass(type)) {
                continue;
            }
            try {
                if (!type.isSynthetic()
                        && filter.mayMatch(type, loader)
                        && warmUp.await()
                        && matchesLoaded(type, loader)) {
                    matching.add(type);
                }
            } catch (Throwable e) {
                LOG.warn(
                        "wait-until: could not instrument {} ({}); requests it serves have no request scope",
                        type.getName(),
                        e.toString());
            }
        }
        if (!jdk.isEmpty()) {
            // Loaded before premain, as the JDK's executors often are; retransformed once Byte Buddy is warm, so that
            // premain need not wait for it. Work handed over meanwhile (before any request, at start-up) is not
            // captured.
            warmUp.then(new Runnable() {
                @Override
                public void run() {
                    retransform(instrumentation, jdk);
                }
            });
        }
        if (matching.isEmpty()) {
            return;
        }
        if (!warmUp.await()) {
            LOG.warn(
                    "wait-until: could not retransform the {} classes already loaded that it instruments (Byte Buddy's "
                            + "warm-up did not finish within {} s); requests they serve have no request scope: {}",
                    matching.size(),
                    WarmUp.WAIT_SECONDS,
                    matching);
            return;
        }
        retransform(instrumentation, matching);
    }

    private void retransform(Instrumentation instrumentation, List<Class<?>> matching) {
        try {
            instrumentation.retransformClasses(matching.toArray(new Class<?>[0]));
        } catch (Throwable e) {
            LOG.warn(
                    "wait-until: could not retransform the {} classes already loaded that it instruments ({}); "
                            + "requests they serve have no request scope: {}",
                    matching.size(),
                    e.toString(),
                    matching);
        }
    }

    private boolean matchesLoaded(Class<?> type, ClassLoader loader) {
        TypeDescription description = TypeDescription.ForLoadedType.of(type);
        for (AgentBuilder.RawMatcher matcher : matchers()) {
            if (matcher.matches(description, loader, null, type, type.getProtectionDomain())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the warm-up ({@link WarmUp}): instruments {@link WarmUpTarget} in memory on a thread of its own, so that
     * the first class the application loads to instrument finds Byte Buddy ready.
     */
    void warmUpInBackground() {
        // What the filter uses on every thread, initialized here, before the warm-up thread touches Byte Buddy.
        filter.initialize();
        warmUp.start(new Runnable() {
            @Override
            public void run() {
                try {
                    instrumentWarmUpTarget();
                } catch (Throwable e) { // harmless: the first class instrumented does the same work, and reports
                    if (debug) {
                        LOG.info(
                                "wait-until: the warm-up of Byte Buddy failed ({}); the first class instrumented will "
                                        + "set it up",
                                e.toString());
                    }
                }
            }
        });
    }

    /**
     * Runs {@code action} once the warm-up has finished, on its thread; at once, here, if there is no warm-up or it
     * has finished. For start-up work that can wait a moment and should not compete with the warm-up for the
     * processors meanwhile.
     */
    void afterWarmUp(Runnable action) {
        warmUp.then(action);
    }

    private void instrumentWarmUpTarget() throws IOException {
        Tools made = tools();
        ClassLoader agentLoader = HookTransformer.class.getClassLoader();
        ClassFileLocator locator = ClassFileLocator.ForClassLoader.of(agentLoader);
        String name = WarmUpTarget.class.getName();
        TypePool pool = AgentBuilder.PoolStrategy.Default.FAST.typePool(locator, agentLoader, name);
        TypeDescription type = describe(name, null, pool);
        HookPoint point = points.get(0);
        for (AgentBuilder.RawMatcher matcher : matchers()) {
            matcher.matches(type, agentLoader, null, null, null);
        }
        for (MethodDescription method : type.getDeclaredMethods()) {
            point.methods().matches(method);
        }
        AdviceWeaver.weave(
                type,
                locator.locate(name).resolve(),
                new AsmVisitorWrapper.ForDeclaredMethods()
                        .invokable(ElementMatchers.named("service"), made.advice(point)),
                pool);
    }

    private Tools tools() {
        Tools made = tools;
        if (made == null) {
            synchronized (this) {
                made = tools;
                if (made == null) {
                    made = new Tools();
                    tools = made;
                }
            }
        }
        return made;
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException) {
            return (RuntimeException) e;
        }
        if (e instanceof Error) {
            throw (Error) e;
        }
        return new IllegalStateException(e);
    }

    /** What instrumenting takes, made once: the hook points' advice, read from the agent's own class files. */
    private static final class Tools {
        private final ClassFileLocator agentClasses =
                ClassFileLocator.ForClassLoader.of(HookTransformer.class.getClassLoader());
        private final TypePool agentTypes = TypePool.Default.of(agentClasses);
        /** By advice class: several hook points share one (javax and jakarta, service and doFilter...). */
        private final Map<Class<?>, Advice> advice = new HashMap<Class<?>, Advice>();

        /** The advice of {@code point}, read from the agent's class files the first time it is needed. */
        synchronized Advice advice(HookPoint point) {
            Advice resolved = advice.get(point.advice());
            if (resolved == null) {
                resolved = Advice.withCustomMapping()
                        .to(agentTypes.describe(point.advice().getName()).resolve(), agentClasses)
                        .withAssigner(Assigner.DEFAULT)
                        .withExceptionHandler(Advice.ExceptionHandler.Default.SUPPRESSING);
                advice.put(point.advice(), resolved);
            }
            return resolved;
        }
    }
}
