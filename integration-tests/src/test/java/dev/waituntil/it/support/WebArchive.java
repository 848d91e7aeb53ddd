package dev.waituntil.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A test web application laid out as the servlet specification has it, exploded in a directory or
 * packed into a {@code .war}: {@code WEB-INF/web.xml}, {@code WEB-INF/classes}, and in
 * {@code WEB-INF/lib} the jars it bundles (each application its own copy of the API jar, as real ones do).
 */
public final class WebArchive {

    private WebArchive() {}

    /**
     * Lays out {@code dir} as an exploded WAR: {@code webXml}, the compiled {@code classes} and {@code libs};
     * files already there are replaced. Returns {@code dir}.
     */
    public static Path explode(Path dir, String webXml, Path classes, List<Path> libs) throws IOException {
        Path webInf = Files.createDirectories(dir.resolve("WEB-INF"));
        copyTree(classes, webInf.resolve("classes"));
        Path lib = Files.createDirectories(webInf.resolve("lib"));
        for (Path jar : libs) {
            Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(webInf.resolve("web.xml"), webXml);
        return dir;
    }

    /**
     * Packs the exploded WAR {@code exploded} into {@code war} (a zip with its directory entries, as
     * {@code jar} or {@code war:war} would make it). Returns {@code war}.
     */
    public static Path pack(Path exploded, Path war) throws IOException {
        Files.createDirectories(war.getParent());
        try (Stream<Path> walk = Files.walk(exploded);
                ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
            for (Path source : walk.sorted().collect(Collectors.toList())) {
                String name = exploded.relativize(source).toString().replace('\\', '/');
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(source)) {
                    zip.putNextEntry(new ZipEntry(name + "/"));
                } else {
                    zip.putNextEntry(new ZipEntry(name));
                    Files.copy(source, zip);
                }
                zip.closeEntry();
            }
        }
        return war;
    }

    /** Copies the directory tree {@code from} into {@code to}, replacing files that exist. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
