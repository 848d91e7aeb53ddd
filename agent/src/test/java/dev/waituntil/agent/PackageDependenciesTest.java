package dev.waituntil.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How the agent's packages depend on each other, read from the compiled main classes' constant pools: what the
 * classes really reference, imports or not.
 */
class PackageDependenciesTest {

    private static final String AGENT = "dev/waituntil/agent/";
    private static final String BOOTSTRAP = "dev/waituntil/bootstrap/";

    /**
     * The bootstrap classes are appended to the bootstrap class path and called by advice inlined into classes of
     * every loader; a reference to anything else would fail there with a {@code NoClassDefFoundError} that the
     * advice, suppressing {@code Throwable}, swallows silently.
     */
    @Test
    void bootstrapClassesReferenceOnlyTheJdkAndTheirOwnPackage() throws IOException {
        List<Path> classes = classesUnder(BOOTSTRAP);
        assertTrue(classes.size() >= 5, "expected the bootstrap classes under " + BOOTSTRAP + ", found " + classes);
        Set<String> foreign = new TreeSet<>();
        for (Path file : classes) {
            for (String type : ClassFile.read(file).referencedTypes) {
                boolean ownPackage = type.startsWith(BOOTSTRAP) && type.indexOf('/', BOOTSTRAP.length()) < 0;
                if (!type.startsWith("java/") && !ownPackage) {
                    foreign.add(mainClasses().relativize(file) + " -> " + type);
                }
            }
        }
        assertTrue(
                foreign.isEmpty(),
                "classes of " + BOOTSTRAP + " reference types outside java.* and their own " + "package:\n  "
                        + String.join("\n  ", foreign));
    }

    @Test
    void noPackageOfTheAgentDependsOnOneThatDependsOnItBack() throws IOException {
        Map<String, Map<String, String>> graph = packageGraph();
        assertTrue(graph.size() >= 5, "expected the agent's packages, found " + graph.keySet());
        List<Set<String>> cycles = cycles(graph);
        StringBuilder why = new StringBuilder();
        for (Set<String> cycle : cycles) {
            why.append("\n  ").append(cycle).append(":");
            for (String from : cycle) {
                for (Map.Entry<String, String> edge : graph.get(from).entrySet()) {
                    if (cycle.contains(edge.getKey())) {
                        why.append("\n    ").append(edge.getValue());
                    }
                }
            }
        }
        assertTrue(cycles.isEmpty(), "package cycles among the agent's main classes:" + why);
    }

    @Test
    void theCycleCheckFindsEveryCycleAndNothingElse() {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        edge(graph, "a", "b");
        edge(graph, "b", "c");
        edge(graph, "c", "a");
        edge(graph, "c", "d");
        edge(graph, "d", "e");
        edge(graph, "e", "d");
        edge(graph, "f", "a");
        assertEquals(List.of(Set.of("a", "b", "c"), Set.of("d", "e")), cycles(graph));
        graph.get("c").remove("a");
        graph.get("e").remove("d");
        assertEquals(List.of(), cycles(graph));
    }

    private static void edge(Map<String, Map<String, String>> graph, String from, String to) {
        graph.computeIfAbsent(from, k -> new TreeMap<>()).put(to, from + " -> " + to);
        graph.computeIfAbsent(to, k -> new TreeMap<>());
    }

    /** Package to the packages it references, each with one class reference that shows it. */
    private static Map<String, Map<String, String>> packageGraph() throws IOException {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        for (Path file : classesUnder(AGENT)) {
            String name = mainClasses().relativize(file).toString().replace('\\', '/');
            String from = packageOf(name);
            Map<String, String> edges = graph.computeIfAbsent(from, k -> new TreeMap<>());
            for (String type : ClassFile.read(file).referencedTypes) {
                String to = packageOf(type);
                if (type.startsWith(AGENT) && !to.equals(from)) {
                    edges.putIfAbsent(to, name + " -> " + type);
                    graph.computeIfAbsent(to, k -> new TreeMap<>());
                }
            }
        }
        return graph;
    }

    /** The strongly connected components of more than one package (Tarjan's algorithm), each sorted. */
    static List<Set<String>> cycles(Map<String, Map<String, String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, found);
            }
        }
        found.sort((a, b) -> a.iterator().next().compareTo(b.iterator().next()));
        return found;
    }

    private static void connect(
            String node,
            Map<String, Map<String, String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            List<Set<String>> found) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        for (String next : graph.get(node).keySet()) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    private static List<Path> classesUnder(String packagePath) throws IOException {
        try (Stream<Path> files = Files.walk(mainClasses().resolve(packagePath))) {
            return files.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList());
        }
    }

    /** The main classes' directory, target/classes, where the agent's classes were loaded from. */
    private static Path mainClasses() {
        try {
            return Paths.get(WaitUntilAgent.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
