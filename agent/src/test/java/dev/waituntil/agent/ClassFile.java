package dev.waituntil.agent;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of the class-file format for the tests that check what classes reference: the version, and every type
 * named in the constant pool.
 */
public final class ClassFile {
    private static final Pattern DESCRIPTOR_TYPE = Pattern.compile("L((?:[\\w$]+/)+[\\w$]+)[;<]");

    public final int major;
    /** Internal names, {@code java/lang/String}. */
    public final Set<String> referencedTypes = new TreeSet<>();

    private ClassFile(int major) {
        this.major = major;
    }

    public static ClassFile read(JarFile jar, JarEntry entry) throws IOException {
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        }
        return parse(entry.getName(), bytes);
    }

    public static ClassFile read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    private static ClassFile parse(String name, byte[] bytes) throws IOException {
        try {
            return parse(bytes);
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + " is not a readable class file: " + e, e);
        }
    }

    public static ClassFile parse(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int magic = in.readInt();
        if (magic != 0xCAFEBABE) {
            throw new IOException("bad magic " + Integer.toHexString(magic));
        }
        in.readUnsignedShort(); // minor
        ClassFile file = new ClassFile(in.readUnsignedShort());
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        List<Integer> descriptors = new ArrayList<>();
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
                    classNames.add(in.readUnsignedShort());
                    break; // Class
                case 8:
                case 16:
                case 19:
                case 20: // String, MethodType, Module, Package
                    int index = in.readUnsignedShort();
                    if (tag == 16) {
                        descriptors.add(index);
                    }
                    break;
                case 9:
                case 10:
                case 11:
                case 17:
                case 18:
                    in.readInt();
                    break; // refs, (Invoke)Dynamic
                case 12: // NameAndType
                    in.readUnsignedShort();
                    descriptors.add(in.readUnsignedShort());
                    break;
                case 15:
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                    break; // MethodHandle
                default:
                    throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        for (int index : classNames) {
            String name = utf8[index];
            if (name.startsWith("[")) {
                addDescriptorTypes(file.referencedTypes, name);
            } else {
                file.referencedTypes.add(name);
            }
        }
        for (int index : descriptors) {
            addDescriptorTypes(file.referencedTypes, utf8[index]);
        }
        // The class's own fields, methods and their signatures are Utf8 entries no NameAndType names;
        // any Utf8 shaped like a descriptor counts (a string literal shaped like one is a false alarm
        // we would rather see than miss a reference).
        for (String s : utf8) {
            if (s != null && (s.startsWith("(") || s.startsWith("L") || s.startsWith("[") || s.startsWith("<"))) {
                addDescriptorTypes(file.referencedTypes, s);
            }
        }
        return file;
    }

    private static void addDescriptorTypes(Set<String> into, String descriptor) {
        Matcher m = DESCRIPTOR_TYPE.matcher(descriptor);
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
