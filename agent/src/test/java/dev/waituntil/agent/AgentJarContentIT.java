package dev.waituntil.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What ships: the built agent jar and API jar, read as files (BlockHound-style). Proves the agent is
 * self-contained with its libraries relocated, that its manifest makes it an agent, and that every
 * class we ship runs on Java 8 (class file major version 52).
 */
class AgentJarContentIT {

    private static final int JAVA_8 = 52;

    private static final String WAIT_UNTIL = "dev/waituntil/";
    private static final String SERVLET_PACKAGE = "dev/waituntil/servlet/";
    private static final Set<String> SERVLET_APIS =
            Set.of("javax.servlet:javax.servlet-api", "jakarta.servlet:jakarta.servlet-api");
    private static final String META_INF = "META-INF/";
    private static final String SHADED = "dev/waituntil/agent/shaded/";
    private static final String AGENT_CLASS = "dev.waituntil.agent.WaitUntilAgent";

    // ------------------------------------------------------------------ agent jar

    /**
     * Premain writes the nested jar out as the bootstrap class path (one copy); without it, it would build one from
     * the classes, slower. The nested jar must hold exactly the bootstrap classes of the agent jar, byte for byte.
     */
    @Test
    void agentJarNestsTheBootstrapClassesAsAJarOfTheirOwn() throws IOException {
        java.util.Map<String, byte[]> outer = new java.util.TreeMap<>();
        java.util.Map<String, byte[]> nested = new java.util.TreeMap<>();
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                if (entry.getName().startsWith("dev/waituntil/bootstrap/")
                        && entry.getName().endsWith(".class")) {
                    outer.put(entry.getName(), jar.getInputStream(entry).readAllBytes());
                }
            }
            JarEntry inner = jar.getJarEntry("META-INF/wait-until-bootstrap.jar");
            assertTrue(inner != null, "no META-INF/wait-until-bootstrap.jar in " + agentJar());
            try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(jar.getInputStream(inner))) {
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                    if (entry.getName().endsWith(".class")) {
                        nested.put(entry.getName(), in.readAllBytes());
                    }
                }
            }
        }
        assertEquals(outer.keySet(), nested.keySet());
        for (String name : outer.keySet()) {
            assertTrue(java.util.Arrays.equals(outer.get(name), nested.get(name)), name + " differs in the nested jar");
        }
    }

    @Test
    void agentJarHoldsOnlyOurPackageAndMetaInf() throws IOException {
        List<String> strays = new ArrayList<>();
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                if (!isOursOrMetaInf(entry.getName())) {
                    strays.add(entry.getName());
                }
            }
        }
        if (!strays.isEmpty()) {
            fail(strays.size() + " entries of " + agentJar() + " are neither under " + WAIT_UNTIL + " nor under "
                    + META_INF + " (an unrelocated library leaks into every application):\n  "
                    + String.join("\n  ", strays));
        }
    }

    @Test
    void agentJarHasNoUnrelocatedByteBuddyOrSlf4j() throws IOException {
        List<String> unrelocated = new ArrayList<>();
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                String name = entry.getName();
                if (name.startsWith("net/bytebuddy") || name.startsWith("org/slf4j")) {
                    unrelocated.add(name);
                }
            }
        }
        assertTrue(
                unrelocated.isEmpty(), "unrelocated entries in the agent jar:\n  " + String.join("\n  ", unrelocated));
    }

    @Test
    void agentJarHoldsTheRelocatedLibraries() throws IOException {
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (String expected : new String[] {
                "dev/waituntil/agent/shaded/bytebuddy/ByteBuddy.class",
                "dev/waituntil/agent/shaded/slf4j/Logger.class",
                "dev/waituntil/agent/shaded/slf4j/jul/JULServiceProvider.class",
                "dev/waituntil/agent/WaitUntilAgent.class",
                "dev/waituntil/bootstrap/WaitUntilBridge.class",
                "dev/waituntil/bootstrap/BridgeTarget.class"
            }) {
                assertNotNull(jar.getJarEntry(expected), "the agent jar has no " + expected);
            }
        }
    }

    /**
     * Relocation must rewrite the references inside the classes too, not only move the files: a class
     * of ours that still names {@code org/slf4j/Logger} would fail (or bind to the application's SLF4J).
     */
    @Test
    void noClassInTheAgentJarReferencesTheUnrelocatedPackages() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                if (!entry.getName().endsWith(".class")) {
                    continue;
                }
                for (String type : ClassFile.read(jar, entry).referencedTypes) {
                    if (type.startsWith("net/bytebuddy/") || type.startsWith("org/slf4j/")) {
                        offenders.add(entry.getName() + " -> " + type);
                    }
                }
            }
        }
        assertTrue(
                offenders.isEmpty(),
                "classes of the agent jar that still reference unrelocated types:\n  "
                        + String.join("\n  ", offenders));
    }

    /**
     * Relocation rewrites string constants as well as references: the names under which the agent looks
     * for the application's own MDC and ThreadContext must come out of the shaded jar unrelocated.
     */
    @Test
    void theApplicationsLoggingIsLookedForUnderItsOwnNames() throws Exception {
        try (URLClassLoader shipped =
                new URLClassLoader(new URL[] {agentJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> store = Class.forName("dev.waituntil.agent.runtime.LoggingContextStore", true, shipped);
            Map<String, String> names = new LinkedHashMap<>();
            for (String field : new String[] {"SLF4J_MDC", "LOG4J_THREAD_CONTEXT"}) {
                Field f = store.getDeclaredField(field);
                f.setAccessible(true);
                names.put(field, (String) f.get(null));
            }
            assertEquals(
                    Map.of(
                            "SLF4J_MDC",
                            "org.slf4j.MDC",
                            "LOG4J_THREAD_CONTEXT",
                            "org.apache.logging.log4j.ThreadContext"),
                    names);
        }
    }

    @Test
    void agentManifestMakesItAnAgent() throws IOException {
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            Manifest manifest = jar.getManifest();
            assertNotNull(manifest, "the agent jar has no manifest");
            Attributes main = manifest.getMainAttributes();
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("Premain-Class", AGENT_CLASS);
            expected.put("Agent-Class", AGENT_CLASS);
            expected.put("Main-Class", AGENT_CLASS);
            expected.put("Can-Retransform-Classes", "true");
            expected.put("Can-Redefine-Classes", "true");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), main.getValue(e.getKey()), "manifest attribute " + e.getKey());
            }
            assertNotNull(
                    jar.getJarEntry(AGENT_CLASS.replace('.', '/') + ".class"),
                    "the manifest names " + AGENT_CLASS + " but the jar does not hold it");
        }
    }

    @Test
    void ourAgentClassesAreJava8AndNoClassIsNewer() throws IOException {
        List<String> wrong = new ArrayList<>();
        int own = 0;
        int bootstrap = 0;
        int all = 0;
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                String name = entry.getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                all++;
                int major = ClassFile.read(jar, entry).major;
                boolean ours = name.startsWith("dev/waituntil/agent/") && !name.startsWith(SHADED);
                boolean bridge = name.startsWith("dev/waituntil/bootstrap/");
                if (ours || bridge) {
                    own += ours ? 1 : 0;
                    bootstrap += bridge ? 1 : 0;
                    if (major != JAVA_8) {
                        wrong.add(name + ": major " + major + ", expected exactly " + JAVA_8);
                    }
                } else if (major > JAVA_8) {
                    wrong.add(name + ": major " + major + ", newer than Java 8 (" + JAVA_8 + ")");
                }
            }
        }
        // Without these the loops above would pass on an empty jar.
        assertTrue(own >= 5, "expected the agent's own classes under dev/waituntil/agent/, found " + own);
        assertTrue(bootstrap >= 2, "expected the bridge classes under dev/waituntil/bootstrap/, found " + bootstrap);
        assertTrue(all > own + bootstrap, "expected relocated library classes as well, found only " + all + " classes");
        assertTrue(
                wrong.isEmpty(),
                wrong.size() + " classes of the agent jar would not load on Java 8:\n  " + String.join("\n  ", wrong));
    }

    // ------------------------------------------------------------------ API jar

    @Test
    void apiJarHoldsOnlyOurPackageAndMetaInfAndIsJava8() throws IOException {
        List<String> strays = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        int classes = 0;
        try (JarFile jar = new JarFile(apiJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                String name = entry.getName();
                if (!isOursOrMetaInf(name)) {
                    strays.add(name);
                }
                if (name.endsWith(".class")) {
                    classes++;
                    int major = ClassFile.read(jar, entry).major;
                    if (major != JAVA_8) {
                        wrong.add(name + ": major " + major + ", expected exactly " + JAVA_8);
                    }
                }
            }
            assertNotNull(
                    jar.getJarEntry("dev/waituntil/WaitUntil.class"),
                    "the API jar has no dev/waituntil/WaitUntil.class");
            assertNotNull(
                    jar.getJarEntry("dev/waituntil/RejectedTaskException.class"),
                    "the API jar has no dev/waituntil/RejectedTaskException.class");
        }
        assertTrue(classes >= 2, "expected API classes, found " + classes);
        assertTrue(
                strays.isEmpty(),
                "entries of " + apiJar() + " outside " + WAIT_UNTIL + " and " + META_INF + ":\n  "
                        + String.join("\n  ", strays));
        assertTrue(wrong.isEmpty(), "API classes that are not Java 8 class files:\n  " + String.join("\n  ", wrong));
    }

    /**
     * The API jar has no dependencies: an application adds one jar and nothing else. Checked where it matters:
     * what its classes reference. The one exception is what every servlet container provides: the initializers of
     * {@code dev.waituntil.servlet} (the standalone mode's drain at an application's teardown) use the servlet
     * API, each class one namespace only, since a container has one and loads only the initializer registered
     * under its name.
     */
    @Test
    void apiClassesReferenceOnlyTheJdkAndThemselves() throws IOException {
        Set<String> foreign = new TreeSet<>();
        try (JarFile jar = new JarFile(apiJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                if (!entry.getName().endsWith(".class")) {
                    continue;
                }
                boolean servletPackage = entry.getName().startsWith(SERVLET_PACKAGE);
                Set<String> namespaces = new TreeSet<>();
                for (String type : ClassFile.read(jar, entry).referencedTypes) {
                    if (type.startsWith("java/") || type.startsWith(WAIT_UNTIL)) {
                        continue;
                    }
                    if (servletPackage && (type.startsWith("javax/servlet/") || type.startsWith("jakarta/servlet/"))) {
                        namespaces.add(type.substring(0, type.indexOf('/')));
                    } else {
                        foreign.add(entry.getName() + " -> " + type);
                    }
                }
                if (namespaces.size() > 1) {
                    foreign.add(entry.getName() + " -> both javax.servlet and jakarta.servlet");
                }
            }
        }
        assertTrue(
                foreign.isEmpty(),
                "API classes reference types outside java.* and dev.waituntil (or, in " + SERVLET_PACKAGE
                        + ", one servlet namespace):\n  " + String.join("\n  ", foreign));
    }

    /** And in its published POM, if the jar carries one: no dependency outside test scope but the servlet APIs, provided. */
    @Test
    void apiPomDeclaresNoRuntimeDependency() throws Exception {
        List<String> runtimeDependencies = new ArrayList<>();
        boolean sawPom = false;
        try (JarFile jar = new JarFile(apiJar().toFile())) {
            for (JarEntry entry : list(jar)) {
                if (!(entry.getName().startsWith("META-INF/maven/")
                        && entry.getName().endsWith("/pom.xml"))) {
                    continue;
                }
                sawPom = true;
                Document pom;
                try (InputStream in = jar.getInputStream(entry)) {
                    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                    pom = factory.newDocumentBuilder().parse(in);
                }
                NodeList dependencies = pom.getElementsByTagName("dependency");
                for (int i = 0; i < dependencies.getLength(); i++) {
                    Element dependency = (Element) dependencies.item(i);
                    if (isInside(dependency, "dependencyManagement")) {
                        continue; // versions only, not a dependency
                    }
                    String scope = child(dependency, "scope");
                    // The servlet APIs that dev.waituntil.servlet compiles against: the container's, never resolved
                    // for the application (provided scope is not transitive).
                    boolean servletApi = "provided".equals(scope)
                            && SERVLET_APIS.contains(
                                    child(dependency, "groupId") + ":" + child(dependency, "artifactId"));
                    if (!"test".equals(scope) && !servletApi) {
                        runtimeDependencies.add(child(dependency, "groupId") + ":" + child(dependency, "artifactId")
                                + " (scope " + (scope == null ? "compile" : scope) + ") in " + entry.getName());
                    }
                }
            }
        }
        System.out.println("AgentJarContentIT: API jar " + (sawPom ? "carries" : "does not carry") + " a Maven POM");
        assertTrue(
                runtimeDependencies.isEmpty(),
                "the API jar's POM declares dependencies outside test scope:\n  "
                        + String.join("\n  ", runtimeDependencies));
    }

    // ------------------------------------------------------------------ helpers

    /** Under dev/waituntil/ or META-INF/, or one of the directory entries that lead there ("dev/"). */
    private static boolean isOursOrMetaInf(String name) {
        return name.startsWith(WAIT_UNTIL)
                || name.startsWith(META_INF)
                || (name.endsWith("/") && WAIT_UNTIL.startsWith(name));
    }

    private static List<JarEntry> list(JarFile jar) {
        return java.util.Collections.list(jar.entries());
    }

    private static Path agentJar() {
        return existing("it.agentJar", "the shaded agent jar (agent/target/wait-until-agent.jar)");
    }

    private static Path apiJar() {
        return existing(
                "it.apiJar", "the API jar (api/target/wait-until-api-<version>.jar); build the api module first");
    }

    private static Path existing(String property, String what) {
        String value = System.getProperty(property);
        assertNotNull(value, "system property " + property + " is not set; run through Maven failsafe (" + what + ")");
        Path path = Paths.get(value).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(path), property + "=" + path + " does not exist: " + what);
        return path;
    }

    private static boolean isInside(Node node, String ancestor) {
        for (Node n = node.getParentNode(); n != null; n = n.getParentNode()) {
            if (ancestor.equals(n.getNodeName())) {
                return true;
            }
        }
        return false;
    }

    private static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (name.equals(n.getNodeName())) {
                return n.getTextContent().trim();
            }
        }
        return null;
    }

    @Test
    void classFileReaderSeesReferences() throws IOException {
        // Guards the guard: the reader must find what a class obviously references.
        String self = AgentJarContentIT.class.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = AgentJarContentIT.class.getClassLoader().getResourceAsStream(self)) {
            assertNotNull(in, self);
            bytes = in.readAllBytes();
        }
        ClassFile file = ClassFile.parse(bytes);
        assertTrue(file.major >= 61, "test classes are compiled for 17, got " + file.major);
        assertTrue(file.referencedTypes.contains("java/util/jar/JarFile"), file.referencedTypes.toString());
        assertTrue(file.referencedTypes.contains("org/w3c/dom/Document"), file.referencedTypes.toString());
        assertFalse(file.referencedTypes.contains("net/bytebuddy/ByteBuddy"), file.referencedTypes.toString());
    }
}
