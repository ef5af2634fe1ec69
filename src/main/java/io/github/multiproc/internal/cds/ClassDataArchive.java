package io.github.multiproc.internal.cds;

import io.github.multiproc.internal.child.ChildMain;
import io.github.multiproc.internal.child.ClassDataTraining;
import io.github.multiproc.internal.launch.ArchiveFormat;
import io.github.multiproc.internal.launch.ArchiveUse;
import io.github.multiproc.internal.launch.LaunchCommand;
import io.github.multiproc.internal.reap.StateDirectory;
import io.github.multiproc.internal.runtime.Settings;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file child JVMs start from: on JDK 25 and later an AOT cache (JEP 483, made in one step as JEP 514 allows), on
 * earlier JDKs an application class-data sharing (AppCDS) dynamic archive. Either holds the JDK's and this library's
 * classes a child loads, with the lambda and serialization machinery, parsed and verified once and mapped into every
 * child after that (about a fifth of a cold child's start on JDK 17). The AOT cache also holds them already loaded and
 * linked, and on JDK 25 a cold child started from it returned its first result about 8% sooner than one started from
 * the dynamic archive (the README's "Class-data archive" has the measurements); it is about 14 MiB on disk where the
 * archive is about 2 MiB. {@code -Dmultiproc.cds=dynamic} keeps the dynamic archive on JDK 25 too. JDK 24 gets the
 * dynamic archive: its AOT cache needs two training JVMs ({@code -XX:AOTMode=record}, then {@code create}), and no JDK
 * 24 was at hand to try and measure that.
 *
 * <p>The file lives in the cache directory {@code <multiproc.stateDir>/cds}, named by a hash of what makes it valid:
 * the JDK ({@code java.home} and its version), the default child JVM options, this library's jar (path, size,
 * modification time) and, for an AOT cache, that it is one ({@code child-<hash>.jsa} for an archive,
 * {@code child-<hash>.aot} for a cache). When it is missing, a training JVM makes it in the background a moment after
 * the first child is started ({@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput}, into a file of its own,
 * moved into place only once complete), and every child started after that uses it. Two JVMs that train at once each
 * write their own file and the last move wins; a stale file is never named, because its inputs would hash to another
 * name. That name is the only guard for an AOT cache: the JDK 25 JVM checks neither that the cache's jar is still on
 * the class path nor that it is unchanged, and runs the classes it cached. A JVM ignores a file that does not match it
 * (with a warning on the child's stderr), and this class passes one only if it exists, since naming a missing one
 * turns class sharing off (for an archive) or prints errors (for a cache).
 *
 * <p>The cache directory is private (0700) like the state directory, and a file, its recorded size or a jar that
 * another user could have written (not owned by this uid, or writable by its group or others) is never used: it
 * would run in every child. A jar is made again; an archive or cache is trained again. Before a file is used a JVM
 * must start from it with sharing required ({@code -Xshare:on}, {@code -XX:AOTMode=on}): one cut short would crash a
 * child. Later, its recorded size guards against a file cut short; one corrupted in place at the same size would
 * still crash the children given it (the JVM checks no checksum unless told to, which would cost every child a read
 * of the whole file).
 *
 * <p>Children get the library's jar first on their class path (an archive or cache can only cover a prefix of the
 * class path made of jar files); when the library runs from a directory of classes, as in its own build, a jar of
 * that directory is made in the cache first. Used only for class-path children without JVM options of their own,
 * since the file is only valid for the options it was trained with; off with {@code -Dmultiproc.cds=off}, and where
 * the default options manage class sharing themselves.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class ClassDataArchive {
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);
    /** How long after the first child the training JVM starts: not while that child starts. */
    private static final Duration TRAINING_DELAY = Duration.ofMillis(300);
    /** How long a training JVM may take. */
    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(60);
    /** Archives and jars kept in the cache directory; older ones are deleted. */
    private static final int KEEP = 8;
    private static final String[] SHARING_OPTIONS = {"-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit", "-Xshare",
        "-XX:AOTCache", "-XX:AOTMode", "-XX:AOTConfiguration", "-XX:+AutoCreateSharedArchive"};
    /** The first JDK whose AOT cache children use: one training JVM makes it ({@code -XX:AOTCacheOutput}). */
    static final int AOT_CACHE_FEATURE = 25;

    private final Path cacheDir;
    /** The files a training JVM was started for: one each per JVM, even if it failed. */
    private final Set<Path> trainingStarted = ConcurrentHashMap.newKeySet();
    /** The JVM {@link #runJvm} runs now, if any: ended by {@link #close()}. */
    private volatile Process training;
    private volatile boolean closed;
    private volatile Prepared prepared;

    /** What children need: the jar to put first on their class path, and the archive made for it. */
    private record Prepared(Path jar, Path archive, ArchiveFormat format, List<String> defaultOptions) {
    }

    public ClassDataArchive(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /**
     * The class path entry to put first and the JVM option naming the archive (when it exists yet), for a child on
     * the class path without JVM options of its own; null where the archive is not used.
     *
     * @return how the child starts from the archive, or null
     * @throws IllegalArgumentException if {@code multiproc.cds} has a value it cannot have
     */
    public ArchiveUse use() {
        ArchiveFormat format = format(Settings.cds(), Runtime.version().feature());
        if (format == null) {
            return null;
        }
        List<String> defaults = LaunchCommand.defaultJvmOptions();
        for (String option : defaults) {
            for (String sharing : SHARING_OPTIONS) {
                if (option.startsWith(sharing)) {
                    return null; // the user manages class sharing
                }
            }
        }
        Prepared p = prepared;
        if (p == null || !p.defaultOptions().equals(defaults) || p.format() != format) {
            p = prepare(defaults, format);
            if (p == null) {
                return null;
            }
            prepared = p;
        }
        if (usableNow(p.archive())) {
            return new ArchiveUse(p.jar().toString(), p.archive(), format);
        }
        if (trainingStarted.add(p.archive())) {
            Prepared train = p;
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(TRAINING_DELAY.toMillis());
                    train(train);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "multiproc-cds-training");
            t.setDaemon(true);
            t.start();
        }
        return new ArchiveUse(p.jar().toString(), null, format);
    }

    /**
     * The format children of a JDK of this feature release start from, or null for none: an AOT cache from
     * {@link #AOT_CACHE_FEATURE} on unless the setting asks for the dynamic archive.
     */
    static ArchiveFormat format(Settings.ClassSharing setting, int feature) {
        switch (setting) {
            case OFF:
                return null;
            case DYNAMIC:
                return ArchiveFormat.DYNAMIC_ARCHIVE;
            default:
                return feature >= AOT_CACHE_FEATURE ? ArchiveFormat.AOT_CACHE : ArchiveFormat.DYNAMIC_ARCHIVE;
        }
    }

    private synchronized Prepared prepare(List<String> defaults, ArchiveFormat format) {
        try {
            Path location = libraryLocation();
            if (location == null) {
                return null;
            }
            StateDirectory.privateDirectory(cacheDir);
            boolean copy = Files.isDirectory(location);
            Path jar = copy ? jarOf(location) : location;
            // a jar made here is named by its content; another JVM may have made it (at another time) first
            String version = copy ? "content" : Long.toString(Files.getLastModifiedTime(jar).toMillis());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<String> parts = new ArrayList<>(List.of(System.getProperty("java.home"),
                    System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                    String.join(" ", defaults), jar.toString(), Long.toString(Files.size(jar)), version));
            if (format == ArchiveFormat.AOT_CACHE) {
                parts.add("aot-cache"); // an archive's key stays as it was: no archive is made again for it
            }
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            String key = HexFormat.of().formatHex(sha.digest(), 0, 12);
            return new Prepared(jar, cacheDir.resolve("child-" + key + extension(format)), format, defaults);
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            LOG.debug("no class-data archive for child JVMs: {}", e.toString());
            return null;
        }
    }

    /** The jar or directory this library's classes come from, or null if it cannot be told. */
    private static Path libraryLocation() {
        CodeSource source = ChildMain.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        try {
            Path path = Path.of(source.getLocation().toURI());
            return Files.exists(path) ? path : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The modification time of every jar made here (2000-01-01T00:00:00Z): the same whenever it is made. */
    static final FileTime JAR_TIME = FileTime.fromMillis(946_684_800_000L);

    /** A jar of the library's classes in {@code classes}, made once per content in the cache directory. */
    private Path jarOf(Path classes) throws IOException, NoSuchAlgorithmException {
        Path root = classes.resolve("io/github/multiproc");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Path f : files) {
            sha.update(classes.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(f));
        }
        Path jar = cacheDir.resolve("multiproc-" + HexFormat.of().formatHex(sha.digest(), 0, 12) + ".jar");
        if (Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS) && StateDirectory.trusted(jar)) {
            return jar;
        }
        Files.deleteIfExists(jar); // not ours alone: every child would run it
        Path tmp = Files.createTempFile(cacheDir, "multiproc-", ".jar.tmp");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp))) {
            for (Path f : files) {
                JarEntry entry = new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/'));
                entry.setTime(0);
                out.putNextEntry(entry);
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        // a jar made again (after it was pruned) must match the archives made with it before: a JVM checks the
        // jar's size and modification time, and refuses the archive, with a warning on the child's stderr, if
        // either changed; the content fixes the size, this the time
        Files.setLastModifiedTime(tmp, JAR_TIME);
        // never replace one that is there: an archive made with it checks its modification time
        try {
            Files.createLink(jar, tmp);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // another JVM made it first: the same content
        } catch (UnsupportedOperationException | IOException noLinks) {
            if (!Files.exists(jar)) {
                moveIntoPlace(tmp, jar);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        prune("multiproc-*.jar", jar);
        return jar;
    }

    private static String extension(ArchiveFormat format) {
        return format == ArchiveFormat.AOT_CACHE ? ".aot" : ".jsa";
    }

    /** Runs a training JVM that writes the archive, then moves it into place. */
    private void train(Prepared p) {
        Path tmp = p.archive().resolveSibling(p.archive().getFileName() + "." + ProcessHandle.current().pid()
                + ".tmp");
        // where -XX:AOTCacheOutput keeps what it recorded while the JVM it starts at exit makes the cache
        Path aotConfiguration = tmp.resolveSibling(tmp.getFileName() + ".config");
        ProcessHandle self = ProcessHandle.current();
        String output = p.format() == ArchiveFormat.AOT_CACHE ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=";
        Path work = null;
        try {
            removeStaleWorkDirectories();
            work = Files.createTempDirectory(cacheDir, TRAINING_DIR_PREFIX);
            Integer code = runJvm(p, List.of(output + tmp), ClassDataTraining.class.getName(),
                    Long.toString(self.pid()), Long.toString(io.github.multiproc.internal.os.ProcessStart.of(self)),
                    work.toString());
            if (code == null) {
                LOG.debug("class-data training did not finish within {}; no archive", TRAINING_TIMEOUT);
            } else if (usable(p.archive())) {
                LOG.debug("another JVM made the class-data archive first: {}", p.archive());
            } else if (code == 0 && Files.isRegularFile(tmp) && Files.size(tmp) > 0 && maps(p, tmp)) {
                long size = Files.size(tmp);
                moveIntoPlace(tmp, p.archive());
                Path sizeTmp = Files.createTempFile(cacheDir, "size-", ".tmp");
                Files.writeString(sizeTmp, Long.toString(size), StandardCharsets.UTF_8);
                moveIntoPlace(sizeTmp, sizeFile(p.archive()));
                String glob = "child-*" + extension(p.format());
                prune(glob, p.archive());
                prune(glob + ".size", sizeFile(p.archive()));
                LOG.debug("class-data archive for child JVMs: {}", p.archive());
            } else {
                LOG.debug("class-data training ended with {}; no archive", code);
            }
        } catch (IOException e) {
            LOG.debug("class-data training failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(aotConfiguration);
            } catch (IOException e) {
                // left in the cache directory
            }
            deleteTree(work);
        }
    }

    /** The training JVM's socket and key file go in a directory of this prefix in the cache directory. */
    static final String TRAINING_DIR_PREFIX = "training-";

    /**
     * Deletes the work directories and unfinished archives of trainings that cannot still run: older than twice
     * {@link #TRAINING_TIMEOUT}, left by a JVM that ended while its training ran (its exit ends the training JVM,
     * and nothing cleans up after either).
     */
    private void removeStaleWorkDirectories() {
        long cutoff = System.currentTimeMillis() - 2 * TRAINING_TIMEOUT.toMillis();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cacheDir, "{" + TRAINING_DIR_PREFIX + "*,child-*.tmp,"
                + "child-*.tmp.config}")) {
            for (Path dir : dirs) {
                if (Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
                    deleteTree(dir);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", cacheDir, e.toString());
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return; // the training JVM deletes its work directory itself when it ends as it should
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.debug("cannot delete {}: {}", dir, e.toString());
        }
    }

    /**
     * Whether a JVM starts from the archive with sharing required ({@code -Xshare:on}, {@code -XX:AOTMode=on}): a JVM
     * handed an archive that is cut short crashes as it maps it, so no child is ever given one that was not tried.
     */
    private boolean maps(Prepared p, Path archive) throws IOException, InterruptedException {
        String required = p.format() == ArchiveFormat.AOT_CACHE ? "-XX:AOTMode=on" : "-Xshare:on";
        Integer code = runJvm(p, List.of(required, p.format().option(archive)), "-version");
        return code != null && code == 0;
    }

    /**
     * Runs a JVM with the children's default options, {@code options}, the library's jar as class path and
     * {@code main}, its output discarded; ended by {@link #close()}, and waited for at most
     * {@link #TRAINING_TIMEOUT}.
     *
     * @return its exit code, or null if it was not started (this JVM exits) or did not finish in time
     */
    private Integer runJvm(Prepared p, List<String> options, String... main)
            throws IOException, InterruptedException {
        List<String> command = LaunchCommand.helperJvm(p.defaultOptions(), options, p.jar(), main);
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                new File(Settings.isWindows() ? "NUL" : "/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process;
        synchronized (this) {
            if (closed) {
                return null;
            }
            process = pb.start();
            training = process;
        }
        if (!process.waitFor(TRAINING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            end(process);
            return null;
        }
        return process.exitValue();
    }

    /** {@link #usable}, with the recorded size read once: after that, one {@code stat} per child. */
    private boolean usableNow(Path archive) {
        Checked c = checked;
        if (c != null && c.archive().equals(archive)) {
            try {
                if (Files.size(archive) == c.size()) {
                    return true;
                }
            } catch (IOException e) {
                // gone: checked again below
            }
        }
        if (!usable(archive)) {
            return false;
        }
        try {
            checked = new Checked(archive, Files.size(archive));
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    private record Checked(Path archive, long size) {
    }

    private volatile Checked checked;

    /**
     * The archive is there, whole (the size its maker checked and recorded beside it), and no other user could have
     * written it or its size.
     */
    private static boolean usable(Path archive) {
        if (!StateDirectory.trusted(archive) || !StateDirectory.trusted(sizeFile(archive))) {
            return false;
        }
        try {
            return Files.size(archive) == Long.parseLong(Files.readString(sizeFile(archive)).trim());
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static Path sizeFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".size");
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Keeps the newest {@link #KEEP} files matching {@code glob}, and {@code current} always. */
    private void prune(String glob, Path current) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(cacheDir, glob)) {
            found.forEach(files::add);
        } catch (IOException e) {
            return;
        }
        files.sort(Comparator.comparing(ClassDataArchive::modified).reversed());
        for (int i = KEEP; i < files.size(); i++) {
            if (!files.get(i).equals(current)) {
                try {
                    Files.deleteIfExists(files.get(i));
                } catch (IOException e) {
                    // another JVM's, or gone already
                }
            }
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** This JVM exits: a training JVM still running is ended, and none is started any more. */
    public synchronized void close() {
        closed = true;
        Process p = training;
        if (p != null && p.isAlive()) {
            end(p);
        }
    }

    /** Kills a training JVM and the JVM that {@code -XX:AOTCacheOutput} starts to write the cache, if it has. */
    private static void end(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** For tests: the archive children would use now, if it exists. */
    Path archiveIfPresent() {
        Prepared p = prepared;
        return p != null && usable(p.archive()) ? p.archive() : null;
    }
}
