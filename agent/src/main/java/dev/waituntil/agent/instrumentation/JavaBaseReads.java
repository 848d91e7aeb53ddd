package dev.waituntil.agent.instrumentation;

import dev.waituntil.agent.log.AgentLog;
import dev.waituntil.bootstrap.CaptureHooks;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Lets {@code java.base} read the module of the bootstrap package: advice inlined into the JDK's own classes (the
 * executors) calls {@code dev.waituntil.bootstrap}, which the agent appends to the bootstrap class path, into the
 * bootstrap loader's unnamed module. A named module reads an unnamed one only when told to, and the call from an
 * instrumented JDK method would otherwise fail with an {@code IllegalAccessError} (which the advice suppresses, so
 * that nothing is captured). By reflection: the agent is compiled for Java 8, which has no modules and needs nothing.
 */
final class JavaBaseReads {

    private static final Logger LOG = AgentLog.get(JavaBaseReads.class);

    private JavaBaseReads() {}

    static void bootstrapPackage(Instrumentation instrumentation) {
        try {
            Method getModule = Class.class.getMethod("getModule");
            Class<?> moduleType = Class.forName("java.lang.Module");
            Object javaBase = getModule.invoke(Object.class);
            Object bootstrap = getModule.invoke(CaptureHooks.class);
            if ((Boolean) moduleType.getMethod("canRead", moduleType).invoke(javaBase, bootstrap)) {
                return;
            }
            Instrumentation.class
                    .getMethod("redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class, Map.class)
                    .invoke(
                            instrumentation,
                            javaBase,
                            Collections.singleton(bootstrap),
                            Collections.emptyMap(),
                            Collections.emptyMap(),
                            Collections.emptySet(),
                            Collections.emptyMap());
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            // Java 8: no modules, nothing to read.
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "wait-until: could not let java.base read the agent's bootstrap classes ({}); work handed to the "
                            + "JDK's executors is not captured",
                    e.toString());
        }
    }
}
