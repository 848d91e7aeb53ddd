package dev.waituntil.agent.instrumentation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.description.type.TypeList;
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
 * looked up: no JDK type extends the servlet API. The answers are the same as {@code hasSuperType(named(...))}'s
 * where every super type can be resolved.
 *
 * <p>Where one cannot, {@code hasSuperType} throws, and the class would go uninstrumented with a warning. Other
 * agents make that common: the OpenTelemetry Java agent makes servlets and filters implement interfaces that it
 * generates at run time and defines in the bootstrap loader, with no class file anywhere. So a super type without a
 * class file is described from the class the loader already has of that name, if any
 * ({@code Class.forName(name, false, loader)}: a class with no class file can only be found, not loaded, unless the
 * loader makes classes from nothing), and one that the loader cannot find at all is none of the named types (no
 * servlet API type extends a type that does not exist); neither throws. An answer from a loaded class is
 * remembered; "cannot be found" is not, as the class may yet be defined.
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
        TypeDescription.Generic superClass = superClass(type);
        if (superClass != null) {
            bits |= ofSuperType(superClass.asErasure().getName(), loader, known);
        }
        for (String superInterface : interfaceNames(type)) {
            bits |= ofSuperType(superInterface, loader, known);
        }
        return bits;
    }

    /**
     * A description made by a type pool that resolves eagerly throws here when the super class has no class file;
     * the lazy pool of the transformer and a loaded class's description do not.
     */
    private static TypeDescription.Generic superClass(TypeDescription type) {
        try {
            return type.getSuperClass();
        } catch (RuntimeException unresolvable) {
            return null;
        }
    }

    private static List<String> interfaceNames(TypeDescription type) {
        List<String> names = new ArrayList<String>();
        TypeList interfaces;
        try {
            interfaces = type.getInterfaces().asErasures();
        } catch (RuntimeException unresolvable) {
            return names;
        }
        for (int i = 0; i < interfaces.size(); i++) {
            try {
                names.add(interfaces.get(i).getName());
            } catch (RuntimeException unresolvable) {
                // none of ours, as a super type that has no class file
            }
        }
        return names;
    }

    /**
     * A super type's bits, remembered; read from its class file through {@code loader} the first time, else from
     * the class of that name that {@code loader} already has; 0, not remembered, when there is neither.
     */
    private int ofSuperType(String name, ClassLoader loader, ConcurrentMap<String, Integer> known) {
        if (name.startsWith("java.")) {
            return 0;
        }
        Integer bits = known.get(name);
        if (bits == null) {
            byte[] bytes = classFile(name, loader);
            if (bytes == null) {
                Class<?> loaded = loadedClass(name, loader);
                if (loaded == null) {
                    return 0;
                }
                bits = ofLoaded(loaded);
            } else {
                ClassReader classFile = OpenedClassReader.of(bytes);
                bits = own(name);
                if (classFile.getSuperName() != null) {
                    bits |= ofSuperType(classFile.getSuperName().replace('/', '.'), loader, known);
                }
                for (String superInterface : classFile.getInterfaces()) {
                    bits |= ofSuperType(superInterface.replace('/', '.'), loader, known);
                }
            }
            known.put(name, bits);
        }
        return bits;
    }

    /** The bits of a loaded class, from reflection: its super types are loaded too, with or without class files. */
    private int ofLoaded(Class<?> type) {
        if (type.getName().startsWith("java.")) {
            return 0;
        }
        int bits = own(type.getName());
        if (type.getSuperclass() != null) {
            bits |= ofLoaded(type.getSuperclass());
        }
        for (Class<?> superInterface : type.getInterfaces()) {
            bits |= ofLoaded(superInterface);
        }
        return bits;
    }

    /**
     * The class {@code loader} has under {@code name}, which has no class file: one another agent defined, or one
     * generated at run time (a proxy); null when there is none. Not initialized.
     */
    private static Class<?> loadedClass(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            return null;
        } catch (LinkageError e) {
            return null;
        } catch (RuntimeException e) { // a stopped web application's loader refuses every name
            return null;
        }
    }

    /**
     * The class file of {@code name} as {@code loader} finds it, as Byte Buddy's type pool reads it
     * ({@code ClassFileLocator.ForClassLoader}); null when it has none.
     */
    private static byte[] classFile(String name, ClassLoader loader) {
        InputStream in = loader.getResourceAsStream(name.replace('.', '/') + ".class");
        if (in == null) {
            return null;
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
