package dev.waituntil;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads, links and initializes, through the API's own class loader, every class that some classes' code
 * refers to, so that this code keeps running once a servlet container has stopped that loader.
 *
 * <p>A web application's loader refuses every class after its application has stopped (Tomcat:
 * "Illegal access: this web application instance has been stopped already"), the JDK's own classes
 * included: the JVM asks the loader of the class whose code runs whenever a symbolic reference in that
 * class is resolved for the first time, unless that loader has already been recorded as an initiating
 * loader of the referenced class. {@code Class.forName(name, true, loader)}, called while the application
 * runs, has the JVM load the class through that loader, which records it, and initializes the class. The
 * names come from the constant pools of the class files themselves: what the code can reach, not a
 * hand-kept list that the next edit forgets.
 */
final class ClassPreloader {

    /** A class name inside a descriptor or signature: {@code Ljava/lang/String;}. */
    private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L((?:[\\w$]+/)+[\\w$]+)[;<]");

    private ClassPreloader() {}

    /**
     * Loads every class named in the constant pool of {@code root} and of its member classes, through
     * {@code root}'s loader. Best effort: a class file that cannot be read, or a name that does not load,
     * is passed over; what is missed fails later where it is used, as it would have without this.
     */
    static void loadEverythingReferencedBy(Class<?> root) {
        ClassLoader loader = root.getClassLoader();
        if (loader == null) {
            return; // the bootstrap loader is never stopped
        }
        List<Class<?>> classes = new ArrayList<Class<?>>();
        collect(root, classes);
        Set<String> names = new LinkedHashSet<String>();
        for (Class<?> c : classes) {
            referencedNames(loader, c, names);
        }
        for (String name : names) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // not reachable from this loader: code that names it could not run in any case
            }
        }
    }

    private static void collect(Class<?> c, List<Class<?>> into) {
        into.add(c);
        for (Class<?> member : c.getDeclaredClasses()) {
            collect(member, into);
        }
    }

    private static void referencedNames(ClassLoader loader, Class<?> c, Set<String> into) {
        InputStream stream = loader.getResourceAsStream(c.getName().replace('.', '/') + ".class");
        if (stream == null) {
            return;
        }
        try (DataInputStream in = new DataInputStream(stream)) {
            if (in.readInt() != 0xCAFEBABE) {
                return;
            }
            in.readUnsignedShort(); // minor
            in.readUnsignedShort(); // major
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classEntries = new ArrayList<Integer>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1:
                        utf8[i] = in.readUTF();
                        break; // Utf8
                    case 3:
                    case 4:
                        in.readInt();
                        break; // Integer, Float
                    case 5:
                    case 6:
                        in.readLong();
                        i++;
                        break; // Long, Double: two slots
                    case 7:
                        classEntries.add(in.readUnsignedShort());
                        break; // Class
                    case 8:
                    case 16:
                    case 19:
                    case 20:
                        in.readUnsignedShort();
                        break; // String, MethodType, Module, Package
                    case 9:
                    case 10:
                    case 11:
                    case 12:
                    case 17:
                    case 18:
                        in.readInt();
                        break; // refs, NameAndType, (Invoke)Dynamic
                    case 15:
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                        break; // MethodHandle
                    default:
                        return; // a constant of a newer class file format: leave this class to chance
                }
            }
            for (int index : classEntries) {
                String name = utf8[index];
                if (name != null && !name.startsWith("[")) {
                    into.add(name.replace('/', '.'));
                }
            }
            // Descriptors and signatures (of members, method types, array classes) are Utf8 entries too: the
            // types in them are checked against loader constraints and cast to by lambda bridges.
            for (String text : utf8) {
                if (text == null) {
                    continue;
                }
                Matcher m = TYPE_IN_DESCRIPTOR.matcher(text);
                while (m.find()) {
                    into.add(m.group(1).replace('/', '.'));
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable class file: nothing loaded ahead for it
        }
    }
}
