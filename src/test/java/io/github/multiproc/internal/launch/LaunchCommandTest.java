package io.github.multiproc.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.Fork;
import io.github.multiproc.internal.child.ChildMain;
import io.github.multiproc.testing.ClassLocation;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The child JVM's command line: defaults first, then the user's options; long paths through an argument file. */
@Timeout(60)
final class LaunchCommandTest {

    @Test
    void build_shortClassPath_isInline(@TempDir Path runDir) {
        List<String> cmd = new LaunchCommand(() -> runDir, () -> null).build("/a.jar", null, null, List.of("-Xmx1g"),
                Map.of("k", "v"), List.of("arg"));
        assertThat(cmd.get(0)).endsWith("java");
        assertThat(cmd).containsSubsequence("-XX:TieredStopAtLevel=1", "-Xmx1g", "-Dk=v", "-cp", "/a.jar",
                ChildMain.class.getName(), "arg");
    }

    @Test
    void defaults_keepSharedLongsOutOfCallers_quietly_byItsRealName() {
        // the option names a class by a string: it must follow the class if it moves, and print nothing
        String sharedLongs = io.github.multiproc.internal.ipc.SharedLongs.class.getName();
        assertThat(LaunchCommand.DEFAULT_JVM_OPTIONS).containsSubsequence("-XX:CompileCommand=quiet",
                "-XX:CompileCommand=dontinline," + sharedLongs + "::*");
        assertThat(LaunchCommand.DEFAULT_JVM_OPTIONS).contains("-XX:Tier3BackEdgeThreshold=6000");
    }

    @Test
    void defaults_inAChild_printNothingAndTakeEffect() throws Exception {
        // a child with the default options, whose stdout must hold only what its task prints
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java.toString()));
        cmd.addAll(LaunchCommand.DEFAULT_JVM_OPTIONS);
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).doesNotContain("CompileCommand:");
        assertThat(out).containsPattern("Tier3BackEdgeThreshold\\s+=\\s+6000\\s");
    }

    @Test
    void build_namesThisJvmsSelectorProvider_beforeTheUsersOptions_andNotWhenTheUserSetsIt(@TempDir Path runDir) {
        String provider = "-D" + LaunchCommand.SELECTOR_PROVIDER + "="
                + java.nio.channels.spi.SelectorProvider.provider().getClass().getName();
        LaunchCommand launch = new LaunchCommand(() -> runDir, () -> null);
        assertThat(launch.build("/a.jar", null, null, List.of("-Xmx1g"), Map.of(), List.of()))
                .containsSubsequence("-XX:TieredStopAtLevel=1", provider, "-Xmx1g", "-cp");
        assertThat(launch.build("/a.jar", null, null, List.of(), Map.of(LaunchCommand.SELECTOR_PROVIDER, "my.P"),
                List.of())).contains("-D" + LaunchCommand.SELECTOR_PROVIDER + "=my.P").doesNotContain(provider);
    }

    @Test
    void child_hasThisJvmsSelectorProvider_andItsSocketsWork() throws Exception {
        String here = java.nio.channels.spi.SelectorProvider.provider().getClass().getName();
        String there = Fork.call(() -> {
            try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
                server.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
                try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                    server.configureBlocking(false);
                    server.register(selector, java.nio.channels.SelectionKey.OP_ACCEPT);
                }
                return System.getProperty(LaunchCommand.SELECTOR_PROVIDER) + " "
                        + java.nio.channels.spi.SelectorProvider.provider().getClass().getName();
            }
        }).result();
        assertThat(there).isEqualTo(here + " " + here);
    }

    @Test
    void build_multiprocSettingsOfThisJvm_comeBeforeTheUsersOptionsAndYieldToTheUsersProperties(@TempDir Path runDir) {
        System.setProperty("multiproc.test.launch", "inherited");
        System.setProperty("multiproc.test.own", "inherited");
        try {
            List<String> cmd = new LaunchCommand(() -> runDir, () -> null).build("/a.jar", null, null,
                    List.of("-Xmx1g"), Map.of("multiproc.test.own", "own"), List.of());
            assertThat(cmd).containsSubsequence("-XX:TieredStopAtLevel=1", "-Dmultiproc.test.launch=inherited",
                    "-Xmx1g", "-Dmultiproc.test.own=own", "-cp").doesNotContain("-Dmultiproc.test.own=inherited");
        } finally {
            System.clearProperty("multiproc.test.launch");
            System.clearProperty("multiproc.test.own");
        }
    }

    @Test
    void build_modulePath_launchesTheLibraryModuleAndResolvesTheMainModule(@TempDir Path runDir) {
        List<String> cmd = new LaunchCommand(() -> runDir, () -> null).build("", "/mods", "demo.app", List.of(),
                Map.of(), List.of());
        if (LaunchCommand.class.getModule().isNamed()) {
            assertThat(cmd).containsSubsequence("-p", "/mods", "--add-modules", "demo.app", "-m",
                    "io.github.multiproc/" + ChildMain.class.getName());
        } else {
            // the library itself is on the class path (as in this test run): its main class is launched from there
            assertThat(cmd).endsWith(ChildMain.class.getName());
        }
    }

    @Test
    void longClassPath_withSpacesAndQuotes_goesThroughAnArgFileThatJavaReads(@TempDir Path dir) throws Exception {
        // the library's classes, copied to a directory whose name needs quoting
        Path classes = ClassLocation.of(Fork.class);
        Path odd = dir.resolve("with space \"quote\" back\\slash");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = odd.resolve(classes.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        StringBuilder cp = new StringBuilder();
        for (int i = 0; cp.length() < 3 * LaunchCommand.ARGFILE_THRESHOLD; i++) {
            cp.append(dir.resolve("missing-" + i)).append(File.pathSeparator);
        }
        cp.append(odd);
        Path runDir = Files.createDirectory(dir.resolve("run"));
        List<String> cmd = new LaunchCommand(() -> runDir, () -> null).build(cp.toString(), null, null, List.of(),
                Map.of(), List.of());
        assertThat(cmd).anyMatch(a -> a.startsWith("@"));
        assertThat(String.join(" ", cmd)).hasSizeLessThan(600);

        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // ChildMain was found through the argument file; without its channel arguments it explains and exits 2
        assertThat(out).contains("ChildMain is started by the multiproc library");
        assertThat(p.exitValue()).isEqualTo(2);
    }

    /** A standby started before the archive or cache existed stands in for a child that would start from it. */
    @Test
    void launchKey_leavesOutTheArchiveOrCacheOption(@TempDir Path runDir) {
        AtomicReference<ArchiveUse> use = new AtomicReference<>();
        LaunchCommand launch = new LaunchCommand(() -> runDir, use::get);
        Path file = runDir.resolve("child-0");
        for (ArchiveFormat format : ArchiveFormat.values()) {
            use.set(new ArchiveUse("/lib.jar", null, format));
            List<String> before = launch.defaultChildJvm();
            use.set(new ArchiveUse("/lib.jar", file, format));
            List<String> after = launch.defaultChildJvm();
            assertThat(after).as(format.name()).contains(format.option(file))
                    .hasSize(before.size() + use.get().jvmOptions().size());
            assertThat(LaunchCommand.launchKey(after)).as(format.name()).isEqualTo(LaunchCommand.launchKey(before));
        }
    }

    @Test
    void quote_escapesBackslashAndQuote() {
        assertThat(LaunchCommand.quote("a b\\c\"d")).isEqualTo("\"a b\\\\c\\\"d\"");
    }
}
