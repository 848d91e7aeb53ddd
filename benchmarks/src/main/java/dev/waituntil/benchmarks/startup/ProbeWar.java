package dev.waituntil.benchmarks.startup;

import dev.waituntil.benchmarks.server.hello.HelloServlet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The probe web application of the standalone servers: {@code WEB-INF/web.xml} mapping the embedded servers' own
 * {@link HelloServlet} to {@code /hello}, and the servlet's class file, taken from the benchmark's own class path (it
 * uses nothing but the servlet API, which the server provides). Deployed as {@code webapps/probe.war}, it answers
 * {@value #PATH}. Written at run time so that the build needs no WAR module.
 */
final class ProbeWar {

    /** What the benchmark asks for until it answers 200. */
    static final String PATH = "/probe/hello";

    private static final String WEB_XML = String.join(
            "\n",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\"",
            "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
            "         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee "
                    + "https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd\"",
            "         metadata-complete=\"true\">",
            "  <servlet>",
            "    <servlet-name>probe</servlet-name>",
            "    <servlet-class>" + HelloServlet.class.getName() + "</servlet-class>",
            "  </servlet>",
            "  <servlet-mapping>",
            "    <servlet-name>probe</servlet-name>",
            "    <url-pattern>" + HelloServlet.PATH + "</url-pattern>",
            "  </servlet-mapping>",
            "</web-app>",
            "");

    private ProbeWar() {}

    /** Writes the WAR to {@code war}, replacing what is there. */
    static void write(Path war) throws IOException {
        String classFile = HelloServlet.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(war.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(war);
                ZipOutputStream zip = new ZipOutputStream(file);
                InputStream servlet = HelloServlet.class.getClassLoader().getResourceAsStream(classFile)) {
            if (servlet == null) {
                throw new IOException("no " + classFile + " on the benchmark's class path");
            }
            zip.putNextEntry(new ZipEntry("WEB-INF/"));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("WEB-INF/web.xml"));
            zip.write(WEB_XML.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("WEB-INF/classes/" + classFile));
            servlet.transferTo(zip);
            zip.closeEntry();
        }
    }
}
