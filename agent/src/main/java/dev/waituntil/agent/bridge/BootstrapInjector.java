package dev.waituntil.agent.bridge;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Puts the package {@code dev.waituntil.bootstrap} (a few classes, JDK types only) on the bootstrap
 * class path, and nothing else: the rest of the agent stays in the system class loader, out of
 * the way of every application. See {@link dev.waituntil.bootstrap.WaitUntilBridge} for why.
 */
public final class BootstrapInjector {

    static final String PACKAGE_PATH = "dev/waituntil/bootstrap/";

    private BootstrapInjector() {}

    /** The bootstrap classes as a jar of their own, inside the agent jar (the build puts it there). */
    static final String NESTED_JAR = "META-INF/wait-until-bootstrap.jar";

    public static void inject(Instrumentation instrumentation, File agentJar) throws IOException {
        File bootstrapJar = createTemporaryJar();
        bootstrapJar.deleteOnExit();
        try (JarFile source = new JarFile(agentJar, false)) {
            JarEntry nested = source.getJarEntry(NESTED_JAR);
            if (nested != null) {
                // One copy: building the jar entry by entry here cost the main thread some 30 ms more.
                try (InputStream in = source.getInputStream(nested);
                        OutputStream out = Files.newOutputStream(bootstrapJar.toPath())) {
                    copy(in, out);
                }
            } else {
                copyClasses(source, agentJar, bootstrapJar);
            }
        }
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(bootstrapJar));
    }

    /** A jar without the nested one (the unit tests' jar of the build's classes): its classes, one by one. */
    private static void copyClasses(JarFile source, File agentJar, File bootstrapJar) throws IOException {
        int copied = 0;
        try (JarOutputStream target = new JarOutputStream(Files.newOutputStream(bootstrapJar.toPath()))) {
            for (Enumeration<JarEntry> entries = source.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().startsWith(PACKAGE_PATH) && entry.getName().endsWith(".class")) {
                    target.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream in = source.getInputStream(entry)) {
                        copy(in, target);
                    }
                    target.closeEntry();
                    copied++;
                }
            }
        }
        if (copied == 0) {
            throw new IOException(
                    agentJar + " holds no " + PACKAGE_PATH + " classes: it is not a complete wait-until agent jar");
        }
    }

    /**
     * A new, empty file {@code wait-until-bootstrap-<random>.jar} in {@code java.io.tmpdir}, as
     * {@link File#createTempFile} would make it, but without its {@code SecureRandom}: creating the JVM's first one
     * (security providers, a seed from the OS, a message digest: some 90 classes) costs a JVM start milliseconds, for
     * a file name. The file is created exclusively ({@code CREATE_NEW}, as {@code createTempFile} does), so a name
     * that exists already is never opened, only skipped for the next one.
     */
    static File createTemporaryJar() throws IOException {
        Path directory = Paths.get(System.getProperty("java.io.tmpdir"));
        Random random = new Random();
        FileAlreadyExistsException taken = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            Path file = directory.resolve(
                    "wait-until-bootstrap-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + ".jar");
            try {
                return Files.createFile(file).toFile();
            } catch (FileAlreadyExistsException e) {
                taken = e;
            }
        }
        throw new IOException(
                "could not create a temporary file in " + directory + " for the bootstrap classes", taken);
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
    }
}
