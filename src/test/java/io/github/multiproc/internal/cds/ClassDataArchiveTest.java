package io.github.multiproc.internal.cds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.Fork;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.fixtures.CdsParent;
import io.github.multiproc.internal.launch.ArchiveFormat;
import io.github.multiproc.internal.launch.ArchiveUse;
import io.github.multiproc.internal.launch.LaunchCommand;
import io.github.multiproc.internal.runtime.Settings;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive or AOT cache child JVMs start from: made once in the background, then used; never a broken
 * one. The tests of one format run on the JDKs that use it, which the CI covers with 17, 21 and 25.
 */
class ClassDataArchiveTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** Whether this JDK's children start from an AOT cache rather than a dynamic archive by default. */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= ClassDataArchive.AOT_CACHE_FEATURE;
    /** The file name ending of what this JDK's children start from by default. */
    private static final String EXTENSION = AOT_CACHE ? ".aot" : ".jsa";

    @TempDir
    Path stateDir;

    @AfterAll
    static void drain() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void beforeJdk25_firstChildStartsWithout_laterChildrenStartFromTheArchiveMadeInTheBackground() throws Exception {
        Assumptions.assumeFalse(AOT_CACHE, "JDK 17 to 24 make a dynamic archive");
        laterChildrenStartFrom(List.of(), "-XX:SharedArchiveFile=", ".jsa");
    }

    @Test
    void onJdk25_firstChildStartsWithout_laterChildrenStartFromTheAotCacheMadeInTheBackground() throws Exception {
        Assumptions.assumeTrue(AOT_CACHE, "JDK 25 and later make an AOT cache");
        laterChildrenStartFrom(List.of(), "-XX:AOTCache=", ".aot");
    }

    @Test
    void cdsDynamic_onJdk25_laterChildrenStartFromTheDynamicArchive() throws Exception {
        Assumptions.assumeTrue(AOT_CACHE, "before JDK 25, dynamic is what auto does");
        laterChildrenStartFrom(List.of("-Dmultiproc.cds=dynamic"), "-XX:SharedArchiveFile=", ".jsa");
    }

    private void laterChildrenStartFrom(List<String> settings, String option, String extension) throws Exception {
        Path cache = stateDir.resolve("cds");
        List<String> jvmOptions = new ArrayList<>(settings);
        jvmOptions.add("-Dmultiproc.standby=0");
        try (FixtureJvm parent = FixtureJvm.start(stateDir, jvmOptions, CdsParent.class, cache.toString())) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.awaitLine(l -> l.startsWith("FIRST "), DEADLINE)).isEqualTo("FIRST none");
            assertThat(parent.awaitLine(l -> l.startsWith("LATER "), DEADLINE))
                    .startsWith("LATER " + option + cache.resolve("child-")).endsWith(extension);
            // this build runs the library from a directory of classes: children get a jar of it first
            assertThat(parent.awaitLine(l -> l.startsWith("LATER-CP "), DEADLINE))
                    .matches("LATER-CP " + java.util.regex.Pattern.quote(cache.resolve("multiproc-").toString())
                            + "[0-9a-f]+\\.jar");
            assertThat(parent.awaitLine(l -> l.startsWith("LATER-RESULT "), DEADLINE)).isEqualTo("LATER-RESULT 42");
            // children log JVM warnings to stderr, which their parent forwards: a file the JVM found at odds with the
            // child's class path or options would say so here, in the user's stderr
            assertThat(parent.stderrLines()).isEmpty();
        }
        assertThat(names(cache)).filteredOn(n -> n.endsWith(extension)).hasSize(1);
        assertThat(names(cache)).filteredOn(n -> n.endsWith(extension.equals(".aot") ? ".jsa" : ".aot")).isEmpty();
        assertThat(names(cache)).noneMatch(n -> n.endsWith(".tmp") || n.endsWith(".config"));
    }

    /**
     * A cache the JVM cannot read (here all zeros, at the size recorded for it: it passes the size check) costs the
     * children their faster start, never their task: with {@code -XX:AOTMode=auto}, the default, the JVM says so on
     * stderr and starts without it.
     */
    @Test
    void onJdk25_aotCacheOverwrittenAtItsRecordedSize_childrenGivenItStillRunTheirTasks() throws Exception {
        Assumptions.assumeTrue(AOT_CACHE, "JDK 25 and later make an AOT cache");
        Path cache = stateDir.resolve("cds");
        ClassDataArchive maker = new ClassDataArchive(cache);
        assertThat(maker.use()).isNotNull();
        Await.until(DEADLINE, () -> "no cache in " + cache, () -> maker.archiveIfPresent() != null);
        Path made = maker.archiveIfPresent();
        maker.close();
        assertThat(made.getFileName().toString()).endsWith(".aot");
        made.toFile().setWritable(true);
        Files.write(made, new byte[Math.toIntExact(Files.size(made))]);

        // the same JDK, options and library as this JVM: the fixture names the file just overwritten
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=0"), CdsParent.class,
                cache.toString())) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.awaitLine(l -> l.startsWith("FIRST "), DEADLINE))
                    .isEqualTo("FIRST -XX:AOTCache=" + made);
            assertThat(parent.awaitLine(l -> l.startsWith("LATER-RESULT "), DEADLINE)).isEqualTo("LATER-RESULT 42");
        }
    }

    /**
     * The training JVM's socket and key file live in a work directory of the cache directory, deleted after it
     * whatever ended it; one left by a JVM killed mid-training goes at a later training once it is old enough, and so
     * does the unfinished archive of such a training.
     */
    @Test
    void training_removesItsWorkDirectory_andStaleOnesOfKilledJvms_butNotRecentOnes() throws Exception {
        Path cache = stateDir.resolve("cds");
        Files.createDirectories(cache);
        Path stale = Files.createDirectory(cache.resolve(ClassDataArchive.TRAINING_DIR_PREFIX + "stale"));
        Files.createFile(stale.resolve("s"));
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - Duration.ofMinutes(10).toMillis()));
        Path recent = Files.createDirectory(cache.resolve(ClassDataArchive.TRAINING_DIR_PREFIX + "recent"));
        // the unfinished archive of a training whose JVM ended: old, and recent (a training may still write it)
        Path staleTmp = Files.createFile(cache.resolve("child-0123.jsa.99999.tmp"));
        Files.setLastModifiedTime(staleTmp, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - Duration.ofMinutes(10).toMillis()));
        Path recentTmp = Files.createFile(cache.resolve("child-4567.jsa.99998.tmp"));
        ClassDataArchive maker = new ClassDataArchive(cache);
        try {
            assertThat(maker.use()).isNotNull();
            Await.until(DEADLINE, () -> "no archive in " + cache, () -> maker.archiveIfPresent() != null);
            Await.until(DEADLINE, () -> "work directories left in " + cache + ": " + workDirectories(cache),
                    () -> workDirectories(cache).equals(List.of(recent.getFileName().toString())));
            assertThat(staleTmp).doesNotExist();
            assertThat(recentTmp).exists();
        } finally {
            maker.close();
        }
    }

    @Test
    void format_isAnAotCacheFromJdk25On_unlessTheSettingSaysOtherwise() {
        assertThat(ClassDataArchive.format(Settings.ClassSharing.AUTO, 17)).isEqualTo(ArchiveFormat.DYNAMIC_ARCHIVE);
        assertThat(ClassDataArchive.format(Settings.ClassSharing.AUTO, 24)).isEqualTo(ArchiveFormat.DYNAMIC_ARCHIVE);
        assertThat(ClassDataArchive.format(Settings.ClassSharing.AUTO, 25)).isEqualTo(ArchiveFormat.AOT_CACHE);
        assertThat(ClassDataArchive.format(Settings.ClassSharing.DYNAMIC, 25))
                .isEqualTo(ArchiveFormat.DYNAMIC_ARCHIVE);
        assertThat(ClassDataArchive.format(Settings.ClassSharing.OFF, 25)).isNull();
        assertThat(ClassDataArchive.format(Settings.ClassSharing.OFF, 17)).isNull();
    }

    /** The user manages class sharing in the default options: the library keeps out of it. */
    @Test
    void use_defaultOptionsThatManageSharing_isNull() {
        String old = System.getProperty("multiproc.jvmOptions");
        try {
            for (String options : List.of("-Xshare:off", "-XX:SharedArchiveFile=/x.jsa", "-XX:AOTCache=/x.aot",
                    "-XX:AOTCacheOutput=/x.aot", "-XX:AOTMode=off")) {
                System.setProperty("multiproc.jvmOptions", "-Xmx64m " + options);
                ClassDataArchive archive = new ClassDataArchive(stateDir.resolve("cds"));
                assertThat(archive.use()).as(options).isNull();
                archive.close();
            }
        } finally {
            if (old == null) {
                System.clearProperty("multiproc.jvmOptions");
            } else {
                System.setProperty("multiproc.jvmOptions", old);
            }
        }
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
        assertThat(names(cache)).filteredOn(n -> n.endsWith(EXTENSION)).hasSize(1);
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
        assertThat(names(cache)).noneMatch(n -> n.endsWith(".jsa") || n.endsWith(".aot"));
    }

    /**
     * The library's jar made from a directory of classes can be pruned and made again later, while an archive made
     * with it is kept: made again, it has the same size and modification time, so a JVM still takes the archive
     * (it checks both, and warns on the child's stderr when one changed).
     */
    @Test
    void jarMadeAgain_matchesTheArchiveMadeWithItBefore() throws Exception {
        Path cache = stateDir.resolve("cds");
        ClassDataArchive archive = new ClassDataArchive(cache);
        ArchiveUse first = archive.use();
        assertThat(first).isNotNull();
        Await.until(DEADLINE, () -> "no archive in " + cache, () -> archive.archiveIfPresent() != null);
        Path made = archive.archiveIfPresent();
        Path jar = Path.of(first.classPathEntry());
        long size = Files.size(jar);
        assertThat(Files.getLastModifiedTime(jar)).isEqualTo(ClassDataArchive.JAR_TIME);
        archive.close();

        Files.delete(jar); // as pruning does
        ArchiveUse again = new ClassDataArchive(cache).use();
        assertThat(again.classPathEntry()).isEqualTo(jar.toString());
        assertThat(again.archive()).isEqualTo(made);
        assertThat(Files.size(jar)).isEqualTo(size);
        assertThat(Files.getLastModifiedTime(jar)).isEqualTo(ClassDataArchive.JAR_TIME);
        String required = again.format() == ArchiveFormat.AOT_CACHE ? "-XX:AOTMode=on" : "-Xshare:on";
        Process jvm = new ProcessBuilder(LaunchCommand.helperJvm(LaunchCommand.defaultJvmOptions(),
                List.of(required, again.format().option(made)), jar, "-version"))
                .redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(jvm.waitFor()).as(output).isZero();
        assertThat(output).doesNotContainIgnoringCase("warning").doesNotContainIgnoringCase("error");
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
        assertThat(args).contains("-Xmx200m")
                .noneMatch(a -> a.startsWith("-XX:SharedArchiveFile") || a.startsWith("-XX:AOTCache"));
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

    private static List<String> workDirectories(Path cache) {
        try {
            return names(cache).stream().filter(n -> n.startsWith(ClassDataArchive.TRAINING_DIR_PREFIX))
                    .collect(Collectors.toList());
        } catch (Exception e) {
            throw new AssertionError(e);
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
