package dev.waituntil.agent.instrumentation;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Decides from the header of a class file (access flags, name, super class, interfaces) whether any hook point could
 * match the class, before Byte Buddy describes it: every class the JVM loads after premain comes through the agent's
 * transformer, and only a few dozen of them (the servlet API's implementations and the containers' lifecycle classes)
 * are instrumented. Byte Buddy would parse each one in full (every field and method) to match it; here the rest
 * are passed over after reading the header and, for the super types, {@link SuperTypes}' remembered answers.
 *
 * <p>The decision is the same as the hook points' matchers would reach: a class is passed over only when its loader
 * is the bootstrap loader, or it is not one of the named container classes and its loader can see none of the
 * servlet API types, or it is synthetic, an interface, or implements none of the servlet API types that its loader
 * can see. Everything else goes on to the matchers as before. A class file the reader cannot read goes on too.
 */
final class LoadTimeFilter {

    private final Set<String> namedClasses;
    private final SuperTypes superTypes;
    private final Collection<String> apiTypes;
    private final Map<ClassLoader, Integer> visible =
            Collections.synchronizedMap(new WeakHashMap<ClassLoader, Integer>());

    /**
     * {@code namedClasses}: the classes of the hook points matched by name; {@code apiTypes}: the super types of the
     * others, all known to {@code superTypes}.
     */
    LoadTimeFilter(Collection<String> namedClasses, Collection<String> apiTypes, SuperTypes superTypes) {
        this.namedClasses = new HashSet<String>(namedClasses);
        this.apiTypes = apiTypes;
        this.superTypes = superTypes;
    }

    /** Initializes the part of Byte Buddy that the filter uses (its ASM class reader), on the calling thread. */
    void initialize() {
        OpenedClassReader.of(EMPTY_CLASS);
    }

    /** {@code class Empty}, Java 1.1: the smallest class file the reader accepts. */
    private static final byte[] EMPTY_CLASS = {
        (byte) 0xCA,
        (byte) 0xFE,
        (byte) 0xBA,
        (byte) 0xBE,
        0,
        3,
        0,
        45,
        0,
        5,
        1,
        0,
        5,
        'E',
        'm',
        'p',
        't',
        'y',
        7,
        0,
        1,
        1,
        0,
        16,
        'j',
        'a',
        'v',
        'a',
        '/',
        'l',
        'a',
        'n',
        'g',
        '/',
        'O',
        'b',
        'j',
        'e',
        'c',
        't',
        7,
        0,
        3,
        0,
        0x21,
        0,
        2,
        0,
        4,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0
    };

    /** Whether a hook point could match the class {@code name} in {@code classFile}, loaded by {@code loader}. */
    boolean mayMatch(String name, byte[] classFile, ClassLoader loader) {
        if (loader == null) {
            return false; // PreFiltered refuses the bootstrap loader's classes
        }
        if (namedClasses.contains(name)) {
            return true;
        }
        int visibleTypes = visibleApiTypes(loader);
        if (visibleTypes == 0) {
            return false; // PreFiltered refuses every servlet hook point for this loader
        }
        ClassReader header;
        try {
            header = OpenedClassReader.of(classFile);
        } catch (RuntimeException e) {
            return true; // let Byte Buddy read it, and report what it finds
        }
        int access = header.getAccess();
        if ((access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_INTERFACE)) != 0) {
            return false; // synthetic: ignored; interfaces and annotations: the servlet hook points want classes
        }
        return (superTypes.ofClassFile(header.getClassName(), header.getSuperName(), header.getInterfaces(), loader)
                        & visibleTypes)
                != 0;
    }

    /**
     * The same for a class already loaded (a late attach), from what reflection says of it: its name, flags, super
     * class and interfaces.
     */
    boolean mayMatch(Class<?> type, ClassLoader loader) {
        if (loader == null) {
            return false;
        }
        if (namedClasses.contains(type.getName())) {
            return true;
        }
        int visibleTypes = visibleApiTypes(loader);
        if (visibleTypes == 0 || type.isInterface() || type.isSynthetic()) {
            return false;
        }
        Class<?> superClass = type.getSuperclass();
        Class<?>[] interfaces = type.getInterfaces();
        String[] interfaceNames = new String[interfaces.length];
        for (int i = 0; i < interfaces.length; i++) {
            interfaceNames[i] = interfaces[i].getName().replace('.', '/');
        }
        return (superTypes.ofClassFile(
                                type.getName().replace('.', '/'),
                                superClass == null ? null : superClass.getName().replace('.', '/'),
                                interfaceNames,
                                loader)
                        & visibleTypes)
                != 0;
    }

    /** The bits of the API types that {@code loader} can see, as {@link Instrumenter.PreFiltered} asks it: once, remembered. */
    private int visibleApiTypes(ClassLoader loader) {
        Integer bits = visible.get(loader);
        if (bits == null) {
            int b = 0;
            for (String type : apiTypes) {
                if (loader.getResource(type.replace('.', '/') + ".class") != null) {
                    b |= superTypes.bitOf(type);
                }
            }
            bits = b;
            visible.put(loader, bits);
        }
        return bits;
    }
}
