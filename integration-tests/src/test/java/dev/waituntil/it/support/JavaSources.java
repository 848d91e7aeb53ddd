package dev.waituntil.it.support;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles the small programs the tests run, from source strings, the way a user's application
 * would be built against the API: {@code javac --release 8 -cp <classpath>}.
 */
public final class JavaSources {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern TYPE =
            Pattern.compile("\\bpublic\\s+(?:final\\s+)?(?:class|interface|enum)\\s+(\\w+)");

    private JavaSources() {}

    /**
     * Compiles {@code sources} (each a whole compilation unit with one public top-level type) into
     * {@code outputDir}, with {@code --release 8} against {@code classpath}.
     *
     * @return {@code outputDir}
     * @throws AssertionError with javac's diagnostics if the compilation fails
     */
    public static Path compile(Path outputDir, List<Path> classpath, String... sources) throws IOException {
        return compile(outputDir, classpath, 8, sources);
    }

    /**
     * As {@link #compile(Path, List, String...)}, with {@code --release <release>}: for code that runs on
     * the build JDK against libraries that need a newer one (an embedded container's launcher).
     */
    public static Path compile(Path outputDir, List<Path> classpath, int release, String... sources)
            throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new AssertionError("no system Java compiler: run the tests on a JDK, not a JRE ("
                    + System.getProperty("java.home") + ")");
        }
        Files.createDirectories(outputDir);
        List<JavaFileObject> units = new ArrayList<>();
        for (String source : sources) {
            units.add(new Source(qualifiedName(source), source));
        }
        List<String> options = new ArrayList<>(List.of(
                "--release",
                String.valueOf(release),
                "-Xlint:-options",
                "-encoding",
                "UTF-8",
                "-d",
                outputDir.toString()));
        if (!classpath.isEmpty()) {
            options.add("-classpath");
            options.add(classpath.stream()
                    .map(p -> p.toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator)));
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter out = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            boolean ok =
                    javac.getTask(out, files, diagnostics, options, null, units).call();
            if (!ok) {
                StringBuilder b = new StringBuilder("compilation failed:\n");
                for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                    b.append(d.getKind())
                            .append(' ')
                            .append(
                                    d.getSource() == null
                                            ? ""
                                            : d.getSource().getName() + ":" + d.getLineNumber() + ": ")
                            .append(d.getMessage(Locale.ROOT))
                            .append('\n');
                }
                throw new AssertionError(b.append(out));
            }
        }
        return outputDir;
    }

    private static String qualifiedName(String source) {
        Matcher type = TYPE.matcher(source);
        if (!type.find()) {
            throw new IllegalArgumentException("no public top-level type in:\n" + source);
        }
        Matcher pkg = PACKAGE.matcher(source);
        return pkg.find() ? pkg.group(1) + "." + type.group(1) : type.group(1);
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p :
                    walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
