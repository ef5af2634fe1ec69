package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.ClassFiles;
import io.github.multiproc.testing.ClassLocation;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tree is the map: the API package holds only the API, the engine's packages depend on each other in the order
 * {@code internal/package-info.java} gives, the child side never reaches SLF4J or the parent side, and the module
 * exports exactly the API. Read from the compiled class files, so that a reference hidden in a signature counts too.
 */
final class ArchitectureTest {
    private static final String API = "io.github.multiproc";
    private static final String INTERNAL = API + ".internal";
    /** The scale-out API, the only other exported package. */
    private static final String CLUSTER_API = API + ".cluster";
    private static final Set<String> CLUSTER_API_TYPES = Set.of("ClusterNode", "ClusterPool", "NodeLostException");

    /** The public API of API.md, and nothing else, in the API package. */
    private static final Set<String> API_TYPES = Set.of("ChildCrashedException", "ChildFailedException",
            "ChildProcess", "CommandBuilder", "Connection", "ExitStatus", "Fork", "MultiprocException",
            "NotSerializableTaskException", "ParentExit", "Pipe", "Pool", "PoolStats", "ProcessEvent", "ProcessLock",
            "ProcessPool", "ProcessQueue", "SerializableBiFunction", "SerializableCallable", "SerializableFunction",
            "SerializableRunnable", "SharedLongArray", "SharedMemory", "TaskBuilder", "TaskTimeoutException");

    /** The engine's packages, bottom first: each may use only packages before it. */
    private static final List<String> ORDER = List.of("wire", "os", "ipc", "task", "channel", "child", "runtime",
            "reap", "launch", "cds", "spawn", "pool", "cluster");
    /** The packages every child JVM loads, and ipc, whose objects children use. */
    private static final Set<String> CHILD_SIDE = Set.of("wire", "os", "ipc", "task", "channel", "child");
    /** The API types the child side may use: the task interfaces and the exceptions a task check throws. */
    private static final Set<String> CHILD_SIDE_API = Set.of("SerializableCallable", "SerializableRunnable",
            "SerializableFunction", "SerializableBiFunction", "MultiprocException", "NotSerializableTaskException");
    /** The API's entry points: the engine uses the API's vocabulary, never these. */
    private static final Set<String> ENTRY_POINTS = Set.of("Fork", "Pool", "ProcessPool", "TaskBuilder",
            "CommandBuilder", "ClusterPool", "ClusterNode");

    private static Path classes;
    /** Class name (dotted, nested with '$') to the classes it references. */
    private static Map<String, Set<String>> references;

    @BeforeAll
    static void readClassFiles() throws Exception {
        classes = ClassLocation.of(Fork.class);
        references = ClassFiles.references(classes, API);
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    private static String simpleName(String className) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        int nested = simple.indexOf('$');
        return nested < 0 ? simple : simple.substring(0, nested);
    }

    /** The engine package of a class ({@code wire}, {@code pool}, ...), or null for the API and others. */
    private static String enginePackage(String className) {
        String pkg = packageOf(className);
        return pkg.startsWith(INTERNAL + ".") ? pkg.substring(INTERNAL.length() + 1) : null;
    }

    @Test
    void apiPackage_holdsExactlyThePublicApiTypes() throws Exception {
        Set<String> topLevel = references.keySet().stream().filter(c -> packageOf(c).equals(API))
                .filter(c -> !c.contains("$") && !c.endsWith(".package-info")).map(ArchitectureTest::simpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(topLevel).containsExactlyInAnyOrderElementsOf(API_TYPES);
        for (String name : topLevel) {
            assertThat(Modifier.isPublic(Class.forName(API + "." + name).getModifiers())).as(name).isTrue();
        }
        Set<String> cluster = references.keySet().stream().filter(c -> packageOf(c).equals(CLUSTER_API))
                .filter(c -> !c.contains("$") && !c.endsWith(".package-info")).map(ArchitectureTest::simpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(cluster).containsExactlyInAnyOrderElementsOf(CLUSTER_API_TYPES);
    }

    /** Hazelcast is optional: only the cluster packages may touch it, so a local user never needs it. */
    @Test
    void hazelcast_isReferencedOnlyByTheClusterPackages() {
        List<String> violations = new ArrayList<>();
        references.forEach((from, tos) -> {
            String pkg = packageOf(from);
            if (pkg.equals(CLUSTER_API) || pkg.equals(INTERNAL + ".cluster")) {
                return;
            }
            for (String to : tos) {
                if (to.startsWith("com.hazelcast.") || packageOf(to).equals(CLUSTER_API)
                        || packageOf(to).equals(INTERNAL + ".cluster")) {
                    violations.add(from + " -> " + to);
                }
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void enginePackages_areAllInTheMapAndItsOrder() throws IOException {
        Set<String> found = references.keySet().stream().map(ArchitectureTest::enginePackage)
                .filter(p -> p != null).collect(Collectors.toCollection(TreeSet::new));
        assertThat(found).containsExactlyInAnyOrderElementsOf(ORDER);
        String map = Files.readString(Path.of("src/main/java/io/github/multiproc/internal/package-info.java"));
        for (String pkg : ORDER) {
            assertThat(map).as("the map names " + pkg).contains("{@link " + INTERNAL + "." + pkg + " " + pkg + "}");
        }
    }

    @Test
    void enginePackages_useOnlyPackagesBelowThem_soThereIsNoCycle() {
        List<String> violations = new ArrayList<>();
        references.forEach((from, tos) -> {
            String fromPkg = enginePackage(from);
            if (fromPkg == null) {
                return;
            }
            for (String to : tos) {
                String toPkg = enginePackage(to);
                if (toPkg != null && ORDER.indexOf(toPkg) > ORDER.indexOf(fromPkg)) {
                    violations.add(from + " -> " + to);
                }
            }
        });
        assertThat(violations).as("references from a package to one above it").isEmpty();
    }

    @Test
    void childSide_referencesNeitherSlf4jNorParentSideCode() {
        List<String> violations = new ArrayList<>();
        references.forEach((from, tos) -> {
            if (!CHILD_SIDE.contains(String.valueOf(enginePackage(from)))) {
                return;
            }
            for (String to : tos) {
                boolean jdk = to.startsWith("java.") || to.startsWith("javax.") || to.startsWith("jdk.")
                        || to.startsWith("sun.");
                boolean childSide = CHILD_SIDE.contains(String.valueOf(enginePackage(to)));
                boolean vocabulary = packageOf(to).equals(API) && CHILD_SIDE_API.contains(simpleName(to));
                if (!jdk && !childSide && !vocabulary) {
                    violations.add(from + " -> " + to);
                }
            }
        });
        assertThat(violations).as("child-side references to SLF4J, parent-side packages or API entry points")
                .isEmpty();
    }

    @Test
    void engine_usesTheApisVocabulary_neverItsEntryPoints() {
        List<String> violations = new ArrayList<>();
        references.forEach((from, tos) -> {
            if (enginePackage(from) == null) {
                return;
            }
            for (String to : tos) {
                if (packageOf(to).equals(API) && ENTRY_POINTS.contains(simpleName(to))) {
                    violations.add(from + " -> " + to);
                }
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void module_exportsExactlyTheApiPackages_andHoldsTheEnginePackages() throws IOException {
        // found as a module, so that its packages are read from the directory, as from a jar
        ModuleDescriptor descriptor = ModuleFinder.of(classes).find(API).orElseThrow().descriptor();
        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder(API, CLUSTER_API);
        assertThat(descriptor.exports()).noneMatch(ModuleDescriptor.Exports::isQualified);
        assertThat(descriptor.opens()).isEmpty();
        Set<String> expected = new TreeSet<>();
        expected.add(API);
        expected.add(CLUSTER_API);
        expected.add(INTERNAL); // its package-info, the map
        ORDER.forEach(p -> expected.add(INTERNAL + "." + p));
        assertThat(descriptor.packages()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void mainSources_noFileOver500Lines() throws IOException {
        Map<String, Long> tooLong = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                long lines;
                try (Stream<String> s = Files.lines(f)) {
                    lines = s.count();
                }
                if (lines > 500) {
                    tooLong.put(f.toString(), lines);
                }
            }
        }
        assertThat(tooLong).isEmpty();
    }

    /**
     * A class or package named in a string (a main class on a command line, a list of classes to warm up) would go
     * stale silently when it moves: each such string in the main sources must name something that exists.
     */
    @Test
    void mainSources_stringsNamingTheLibrary_nameClassesOrPackagesThatExist() throws IOException {
        Pattern named = Pattern.compile("\"(io[./]github[./]multiproc[\\w./$]*)\"");
        List<String> stale = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Matcher m = named.matcher(Files.readString(f));
                while (m.find()) {
                    String name = m.group(1).replace('/', '.');
                    boolean isClass = references.containsKey(name);
                    boolean isPackage = references.keySet().stream().anyMatch(c -> packageOf(c).equals(name));
                    if (!isClass && !isPackage) {
                        stale.add(f + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(stale).isEmpty();
    }
}
