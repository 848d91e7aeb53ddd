package dev.waituntil.it.support;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The parts of a test application's {@code web.xml} that every test WAR shares: metadata-complete, so
 * no container needs to scan annotations; Servlet 3.1 for {@code javax}, 5.0 for {@code jakarta} (the
 * first with that namespace, which every jakarta container reads).
 */
final class WebXml {

    private WebXml() {}

    /** The XML declaration and the opening {@code <web-app>} for {@code servletPackage}. */
    static String header(String servletPackage) {
        boolean jakarta = servletPackage.startsWith("jakarta.");
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + (jakarta
                        ? "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"\n"
                                + "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                                + "         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee"
                                + " https://jakarta.ee/xml/ns/jakartaee/web-app_5_0.xsd\"\n"
                                + "         version=\"5.0\" metadata-complete=\"true\">\n"
                        : "<web-app xmlns=\"http://xmlns.jcp.org/xml/ns/javaee\"\n"
                                + "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                                + "         xsi:schemaLocation=\"http://xmlns.jcp.org/xml/ns/javaee"
                                + " http://xmlns.jcp.org/xml/ns/javaee/web-app_3_1.xsd\"\n"
                                + "         version=\"3.1\" metadata-complete=\"true\">\n");
    }

    /** One {@code <url-pattern>} line per endpoint. */
    static String urlPatterns(List<String> endpoints) {
        return endpoints.stream()
                .map(e -> "    <url-pattern>" + e + "</url-pattern>\n")
                .collect(Collectors.joining());
    }
}
