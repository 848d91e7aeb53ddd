package dev.waituntil.agent.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The thread-bound logging context of one copy of a logging framework: SLF4J's {@code MDC} or Log4j 2's
 * {@code ThreadContext}, as an application bundles it. Reached through method handles on the
 * application's own class; the agent's SLF4J is relocated and never answers to these names.
 *
 * <p>One instance per framework class, kept in a {@link ClassValue} of that class: the handles refer to
 * the application's class, and a value stored inside that very class cannot keep its loader alive.
 */
abstract class LoggingContextStore {

    /*
     * Joined at run time: the shade plugin rewrites every string constant that names org.slf4j into the
     * agent's relocated package, which is exactly the copy that must not be found.
     */
    static final String SLF4J_MDC = String.join(".", "org", "slf4j", "MDC");
    static final String LOG4J_THREAD_CONTEXT = String.join(".", "org", "apache", "logging", "log4j", "ThreadContext");

    private static final ClassValue<LoggingContextStore> STORES = new ClassValue<LoggingContextStore>() {
        @Override
        protected LoggingContextStore computeValue(Class<?> framework) {
            try {
                return SLF4J_MDC.equals(framework.getName())
                        ? new Slf4jMdc(framework)
                        : new Log4jThreadContext(framework);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                // Not cached by ClassValue; the caller remembers the failure per class loader instead.
                throw new IllegalStateException(framework.getName() + " is not the API this agent knows: " + e, e);
            }
        }
    };

    /** The store of {@code framework}, a class named {@link #SLF4J_MDC} or {@link #LOG4J_THREAD_CONTEXT}. */
    static LoggingContextStore of(Class<?> framework) {
        return STORES.get(framework);
    }

    /** For log lines: "SLF4J MDC", "Log4j 2 ThreadContext". */
    abstract String framework();

    /** The calling thread's context as a value that nothing else holds or changes; null when it is empty. */
    abstract Object capture() throws Throwable;

    /** Sets {@code captured}, a value from {@link #capture}, on the calling thread. */
    abstract void restore(Object captured) throws Throwable;

    /** Empties the calling thread's context, removing what the framework keeps for it. */
    abstract void clear() throws Throwable;

    /** {@code public static} {@code name} of {@code owner}, typed as {@code type} for {@code invokeExact}. */
    static MethodHandle staticMethod(Class<?> owner, String name, MethodType type, Class<?>... parameters)
            throws ReflectiveOperationException {
        Method method = owner.getMethod(name, parameters);
        if (!Modifier.isStatic(method.getModifiers())) {
            throw new NoSuchMethodException(owner.getName() + "." + name + " is not static");
        }
        return MethodHandles.publicLookup().unreflect(method).asType(type);
    }

    private static final MethodType GETTER = MethodType.methodType(Object.class);
    private static final MethodType SETTER = MethodType.methodType(void.class, Object.class);
    private static final MethodType ACTION = MethodType.methodType(void.class);

    /** SLF4J 1.7 and 2.x: the same three static methods in both. */
    static final class Slf4jMdc extends LoggingContextStore {
        private final MethodHandle getCopyOfContextMap;
        private final MethodHandle setContextMap;
        private final MethodHandle clear;

        Slf4jMdc(Class<?> mdc) throws ReflectiveOperationException {
            getCopyOfContextMap = staticMethod(mdc, "getCopyOfContextMap", GETTER);
            setContextMap = staticMethod(mdc, "setContextMap", SETTER, Map.class);
            clear = staticMethod(mdc, "clear", ACTION);
        }

        @Override
        String framework() {
            return "SLF4J MDC";
        }

        @Override
        Object capture() throws Throwable {
            Map<?, ?> copy = (Map<?, ?>) (Object) getCopyOfContextMap.invokeExact();
            return copy == null || copy.isEmpty() ? null : Collections.unmodifiableMap(copy);
        }

        @Override
        void restore(Object captured) throws Throwable {
            // A fresh map: an adapter may keep the one it is given and change it when the task calls MDC.put.
            setContextMap.invokeExact((Object) new HashMap<Object, Object>((Map<?, ?>) captured));
        }

        @Override
        void clear() throws Throwable {
            clear.invokeExact();
        }
    }

    /** Log4j 2.7 and later (ThreadContext.putAll came in 2.7): the map and the stack. */
    static final class Log4jThreadContext extends LoggingContextStore {
        private final MethodHandle isEmpty;
        private final MethodHandle getContext;
        private final MethodHandle getDepth;
        private final MethodHandle cloneStack;
        private final MethodHandle putAll;
        private final MethodHandle setStack;
        private final MethodHandle clearAll;

        Log4jThreadContext(Class<?> threadContext) throws ReflectiveOperationException {
            isEmpty = staticMethod(threadContext, "isEmpty", MethodType.methodType(boolean.class));
            getContext = staticMethod(threadContext, "getContext", GETTER);
            getDepth = staticMethod(threadContext, "getDepth", MethodType.methodType(int.class));
            cloneStack = staticMethod(threadContext, "cloneStack", GETTER);
            putAll = staticMethod(threadContext, "putAll", SETTER, Map.class);
            setStack = staticMethod(threadContext, "setStack", SETTER, Collection.class);
            clearAll = staticMethod(threadContext, "clearAll", ACTION);
        }

        @Override
        String framework() {
            return "Log4j 2 ThreadContext";
        }

        @Override
        Object capture() throws Throwable {
            // Asked first so that an unused ThreadContext costs two calls and no copy.
            Map<?, ?> map = (boolean) isEmpty.invokeExact() ? null : (Map<?, ?>) (Object) getContext.invokeExact();
            List<Object> stack = null;
            if ((int) getDepth.invokeExact() > 0) {
                // ContextStack is a Collection<String>; copied out so that no Log4j object travels with the task.
                stack = Collections.unmodifiableList(
                        new ArrayList<Object>((Collection<?>) (Object) cloneStack.invokeExact()));
            }
            if ((map == null || map.isEmpty()) && stack == null) {
                return null;
            }
            return new Captured(map == null || map.isEmpty() ? null : Collections.unmodifiableMap(map), stack);
        }

        @Override
        void restore(Object captured) throws Throwable {
            Captured c = (Captured) captured;
            if (c.map != null) {
                putAll.invokeExact((Object) c.map);
            }
            if (c.stack != null) {
                setStack.invokeExact((Object) c.stack);
            }
        }

        @Override
        void clear() throws Throwable {
            clearAll.invokeExact();
        }

        private static final class Captured {
            final Map<?, ?> map;
            final List<Object> stack;

            Captured(Map<?, ?> map, List<Object> stack) {
                this.map = map;
                this.stack = stack;
            }
        }
    }
}
