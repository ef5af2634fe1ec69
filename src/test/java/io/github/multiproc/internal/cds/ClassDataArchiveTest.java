package io.github.multiproc.internal.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.Fork;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.fixtures.CdsParent;
import io.github.multiproc.internal.launch.ArchiveUse;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-data archive child JVMs start from: made once in the background, then used; never a broken one. */
class ClassDataArchiveTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path stateDir;

    @AfterAll
    static void drain() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void firstChild_startsWithout_laterChildrenStartFromTheArchiveMadeInTheBackground() throws Exception {
        Path cache = stateDir.resolve("cds");
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=0"), CdsParent.class,
                cache.toString())) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.awaitLine(l -> l.startsWith("FIRST "), DEADLINE)).isEqualTo("FIRST none");
            assertThat(parent.awaitLine(l -> l.startsWith("LATER "), DEADLINE))
                    .startsWith("LATER -XX:SharedArchiveFile=" + cache.resolve("child-"));
            // this build runs the library from a directory of classes: children get a jar of it first
            assertThat(parent.awaitLine(l -> l.startsWith("LATER-CP "), DEADLINE))
                    .matches("LATER-CP " + java.util.regex.Pattern.quote(cache.resolve("multiproc-").toString())
                            + "[0-9a-f]+\\.jar");
            assertThat(parent.awaitLine(l -> l.startsWith("LATER-RESULT "), DEADLINE)).isEqualTo("LATER-RESULT 42");
            assertThat(parent.stderrLines()).noneMatch(l -> l.contains("cds") || l.contains("shared archive"));
        }
        assertThat(names(cache)).filteredOn(n -> n.endsWith(".jsa")).hasSize(1);
        assertThat(names(cache)).noneMatch(n -> n.endsWith(".tmp"));
    }

    @Test
    void twoJvmsTrainingAtOnce_bothEndUpWithAWorkingArchive() throws Exception {
        Path cache = stateDir.resolve("cds");
        try (FixtureJvm a = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=0"), CdsParent.class,
                cache.toString());
             FixtureJvm b = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=0"), CdsParent.class,
                cache.toString())) {
            for (FixtureJvm parent : List.of(a, b)) {
                assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
                assertThat(parent.awaitLine(l -> l.startsWith("LATER-RESULT "), DEADLINE))
                        .isEqualTo("LATER-RESULT 42");
            }
        }
        assertThat(names(cache)).filteredOn(n -> n.endsWith(".jsa")).hasSize(1);
    }

    @Test
    void cdsOff_noArchiveIsMadeOrUsed() throws Exception {
        Path cache = stateDir.resolve("cds");
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=0",
                "-Dmultiproc.cds=off"), CdsParent.class, cache.toString(), "3")) {
            // training would start 0.3 s after the first child and take about as long again
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.awaitLine(l -> l.startsWith("FIRST "), DEADLINE)).isEqualTo("FIRST none");
            assertThat(parent.awaitLine("NO-ARCHIVE"::equals, DEADLINE)).isEqualTo("NO-ARCHIVE");
        }
        assertThat(names(cache)).noneMatch(n -> n.endsWith(".jsa"));
    }

    @Test
    void archive_cutShortOrMissingItsSize_isNotUsed() throws Exception {
        Path cache = stateDir.resolve("cds");
        ClassDataArchive archive = new ClassDataArchive(cache);
        ArchiveUse first = archive.use();
        assertThat(first).isNotNull();
        assertThat(first.archive()).isNull(); // and training started
        Await.until(DEADLINE, () -> "no archive in " + cache, () -> archive.archiveIfPresent() != null);
        Path made = archive.archiveIfPresent();
        assertThat(archive.use().archive()).isEqualTo(made);

        long size = Files.size(made);
        made.toFile().setWritable(true);
        try (var channel = java.nio.channels.FileChannel.open(made, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(size / 2); // a JVM given this would crash while mapping it
        }
        assertThat(archive.use().archive()).isNull();
        Files.delete(made.resolveSibling(made.getFileName() + ".size"));
        assertThat(archive.use().archive()).isNull();
        archive.close();
    }

    /** An archive or jar is code every child runs: one another user could have written is never used. */
    @Test
    void use_archiveAndJarGivenToAnotherUser_neitherIsUsed() throws Exception {
        Path cache = stateDir.resolve("cds");
        ClassDataArchive maker = new ClassDataArchive(cache);
        assertThat(maker.use()).isNotNull();
        Await.until(DEADLINE, () -> "no archive in " + cache, () -> maker.archiveIfPresent() != null);
        Path made = maker.archiveIfPresent();
        Path jar = Path.of(maker.use().classPathEntry());
        maker.close();
        int me = uidOf(made);
        Assumptions.assumeTrue(me == 0, "only root can give a file to another user");
        UserPrincipal other = cache.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("1234");
        Files.setOwner(made, other);
        if (jar.startsWith(cache)) {
            Files.setOwner(jar, other);
        }

        ClassDataArchive later = new ClassDataArchive(cache);
        try {
            ArchiveUse use = later.use();
            assertThat(use.archive()).as("archive owned by uid 1234").isNull();
            assertThat(uidOf(Path.of(use.classPathEntry()))).as("owner of %s", use.classPathEntry()).isEqualTo(me);
        } finally {
            later.close();
        }
    }

    private static int uidOf(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void childWithItsOwnJvmOptions_startsWithoutTheArchive() throws Exception {
        List<String> args = Fork.task(() -> ProcessHandle.current().info().arguments().map(List::of)
                .orElse(List.of())).jvmOptions("-Xmx200m").start().result();
        assertThat(args).contains("-Xmx200m").noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
    }

    @Test
    void badCdsSetting_failsTheForkAndNamesTheProperty() {
        String old = System.getProperty("multiproc.cds");
        System.setProperty("multiproc.cds", "sometimes");
        try {
            // the documented MultiprocException of a launch that fails, with the setting's own exception as cause
            assertThatThrownBy(() -> Fork.call(() -> 1)).isInstanceOf(MultiprocException.class)
                    .hasMessageContaining("multiproc.cds").hasMessageContaining("sometimes")
                    .cause().isInstanceOf(IllegalArgumentException.class);
        } finally {
            if (old == null) {
                System.clearProperty("multiproc.cds");
            } else {
                System.setProperty("multiproc.cds", old);
            }
        }
    }

    private static List<String> names(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toList());
        }
    }
}
