package dev.waituntil.agent.instrumentation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Which of a few named types (the servlet API's interfaces that hook points are on) a class is assignable to: the
 * question each such hook point asks of every class loaded by a loader that can see the API, which in an embedded
 * server is every class of the container and the application.
 *
 * <p>Byte Buddy's {@code hasSuperType(named(...))} answers it by walking the class's whole hierarchy, reading and
 * parsing the class file of each super type, and does so again for the next class. The classes of a container share
 * most of their super types, so during a start the same class files are read and parsed thousands of times, with the
 * JDK's ({@code Object}, {@code Serializable}, {@code EventListener}...) among them.
 *
 * <p>Here the answer for each super type is remembered, per class loader and by name (a loader resolves a name to
 * one class), as the set of the named types it is assignable to. A class then costs one lookup per direct super
 * type, and a super type's class file is read once per loader, as Byte Buddy's type pool reads it (the loader's
 * resource), and only its header is looked at (super class and interfaces). Types under {@code java.} are never
 * looked up: no JDK type extends the servlet API. The answers are the same as {@code hasSuperType(named(...))}'s;
 * a super type that cannot be resolved fails the match the same way (an exception, which Byte Buddy reports to the
 * listener), and is not remembered.
 *
 * <p>Class loaders are held weakly, so an undeployed application's loader is not kept; for each loader there is one
 * small entry per distinct super type of the classes it loaded.
 */
final class SuperTypes {

    /** The types asked about; bit i stands for names[i]. */
    private final String[] names;
    private final Map<ClassLoader, ConcurrentMap<String, Integer>> byLoader =
            Collections.synchronizedMap(new WeakHashMap<ClassLoader, ConcurrentMap<String, Integer>>());

    /**
     * {@code typeNames}: every type that will be asked about, at most 32, fixed here because the remembered answers
     * are sets of them.
     */
    SuperTypes(Collection<String> typeNames) {
        Set<String> distinct = new LinkedHashSet<String>(typeNames);
        if (distinct.size() > Integer.SIZE) {
            throw new IllegalArgumentException("more than " + Integer.SIZE + " super types: " + distinct);
        }
        this.names = distinct.toArray(new String[0]);
    }

    /** The bit of {@code typeName}, one of the names given to the constructor. */
    int bitOf(String typeName) {
        int bit = own(typeName);
        if (bit == 0) {
            throw new IllegalArgumentException(typeName + " is not among " + Arrays.toString(names));
        }
        return bit;
    }

    /** The bits of the named types that {@code type} (as loaded by {@code loader}, not null) is, extends or implements. */
    int of(TypeDescription type, ClassLoader loader) {
        return compute(type, loader, known(loader));
    }

    /**
     * The same for a class known by its class file alone (a class being loaded): {@code superName} (null for none)
     * and {@code interfaceNames} are internal names, as in the class file.
     */
    int ofClassFile(String internalName, String superName, String[] interfaceNames, ClassLoader loader) {
        ConcurrentMap<String, Integer> known = known(loader);
        int bits = own(internalName.replace('/', '.'));
        if (superName != null) {
            bits |= ofSuperType(superName.replace('/', '.'), loader, known);
        }
        for (String superInterface : interfaceNames) {
            bits |= ofSuperType(superInterface.replace('/', '.'), loader, known);
        }
        return bits;
    }

    private ConcurrentMap<String, Integer> known(ClassLoader loader) {
        ConcurrentMap<String, Integer> known = byLoader.get(loader);
        if (known == null) {
            synchronized (byLoader) {
                known = byLoader.get(loader);
                if (known == null) {
                    known = new ConcurrentHashMap<String, Integer>();
                    byLoader.put(loader, known);
                }
            }
        }
        return known;
    }

    private int compute(TypeDescription type, ClassLoader loader, ConcurrentMap<String, Integer> known) {
        int bits = own(type.getName());
        TypeDescription.Generic superClass = type.getSuperClass();
        if (superClass != null) {
            bits |= ofSuperType(superClass.asErasure().getName(), loader, known);
        }
        for (TypeDescription superInterface : type.getInterfaces().asErasures()) {
            bits |= ofSuperType(superInterface.getName(), loader, known);
        }
        return bits;
    }

    /** A super type's bits, remembered; read from its class file through {@code loader} the first time. */
    private int ofSuperType(String name, ClassLoader loader, ConcurrentMap<String, Integer> known) {
        if (name.startsWith("java.")) {
            return 0;
        }
        Integer bits = known.get(name);
        if (bits == null) {
            ClassReader classFile = OpenedClassReader.of(classFile(name, loader));
            bits = own(name);
            if (classFile.getSuperName() != null) {
                bits |= ofSuperType(classFile.getSuperName().replace('/', '.'), loader, known);
            }
            for (String superInterface : classFile.getInterfaces()) {
                bits |= ofSuperType(superInterface.replace('/', '.'), loader, known);
            }
            known.put(name, bits);
        }
        return bits;
    }

    /**
     * The class file of {@code name} as {@code loader} finds it, as Byte Buddy's type pool reads it
     * ({@code ClassFileLocator.ForClassLoader}); a missing one fails as the pool's type resolution does.
     */
    private static byte[] classFile(String name, ClassLoader loader) {
        InputStream in = loader.getResourceAsStream(name.replace('.', '/') + ".class");
        if (in == null) {
            throw new IllegalStateException("Cannot resolve type description for " + name);
        }
        try {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(in.available(), 1024));
                byte[] buffer = new byte[4096];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    out.write(buffer, 0, n);
                }
                return out.toByteArray();
            } finally {
                in.close();
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the class file of " + name + ": " + e, e);
        }
    }

    private int own(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return 1 << i;
            }
        }
        return 0;
    }
}
