package io.github.multiproc.internal.reap;

import io.github.multiproc.MultiprocException;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.internal.runtime.Settings;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state directory ({@code multiproc.stateDir}) and what lives in it: the child records, the class-data cache, and
 * one private run directory per JVM ({@link RunDirectory}) for its channel sockets, key files and argument files. A
 * run directory is deleted at its JVM's exit, and one left by a JVM that was killed is deleted by the next JVM of the
 * same pid namespace that starts a child.
 *
 * <p>Thread safety: safe for concurrent use; the only state is this process's uid, read once.
 */
public final class StateDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private StateDirectory() {
    }

    /**
     * Creates {@code dir} (mode 0700) or checks that an existing one is ours (owned by this process's uid, whatever
     * its user's name) and private. One that other users could write is made private, and what they could have put
     * in it is deleted first: the class-data cache, and everything this uid does not own.
     *
     * @param dir the directory
     * @return {@code dir}
     * @throws MultiprocException if it cannot be made, is not a directory, or belongs to another uid
     */
    public static Path privateDirectory(Path dir) {
        try {
            if (Settings.isWindows()) {
                return Files.createDirectories(dir);
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException raced) {
                    // another JVM made it first: check it below
                }
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new MultiprocException("state directory " + dir + " is not a directory");
            }
            // by uid: a uid without a passwd entry (docker run -u 1234, OpenShift) has the user.name "?"
            int owner = uidOf(dir);
            int me = thisUid();
            if (owner != me) {
                String name = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
                throw new MultiprocException("state directory " + dir + " belongs to uid " + owner
                        + (name.equals(Integer.toString(owner)) ? "" : " (" + name + ")") + ", not to uid " + me
                        + " of this process; set the system property multiproc.stateDir to a directory of your own");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!perms.equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
                if (perms.contains(PosixFilePermission.GROUP_WRITE)
                        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                    purge(dir, me);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new MultiprocException("cannot prepare state directory " + dir + ": " + e, e);
        }
    }

    /**
     * Deletes what other users could have written into {@code dir} while they could write it (it is private now):
     * the class-data cache, whose archive or jar would run in every child, and everything {@code me} does not own.
     */
    private static void purge(Path dir, int me) throws IOException {
        LOG.warn("{} was writable by other users; deleting its class-data cache and what uid {} does not own in it",
                dir, me);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (entry.getFileName().toString().equals(CLASS_DATA_CACHE) || uidOf(entry) != me) {
                    deleteTree(entry);
                }
            }
        }
    }

    /**
     * Returns the class-data cache of a state directory.
     *
     * @param stateDir the state directory
     * @return its {@code cds} directory
     */
    public static Path classDataCache(Path stateDir) {
        return stateDir.resolve(CLASS_DATA_CACHE);
    }

    private static final String CLASS_DATA_CACHE = "cds";

    /**
     * Returns whether only this process's user could have written {@code file}: this uid owns it, and neither its
     * group nor others may write it. A symbolic link is never trusted (its mode is 0777), nor a file that cannot be
     * read. Records and class-data files are used only if trusted.
     *
     * @param file the file
     * @return whether it may be used
     */
    public static boolean trusted(Path file) {
        if (Settings.isWindows()) {
            return true;
        }
        try {
            Map<String, Object> attributes = Files.readAttributes(file, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            return (Integer) attributes.get("uid") == thisUid() && ((Integer) attributes.get("mode") & 0022) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static int uidOf(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Returns the effective uid of this process, which owns the files it makes: from {@code /proc/self/status}, or
     * else from a file it makes for the purpose.
     */
    static int thisUid() throws IOException {
        Integer uid = thisUid;
        if (uid == null) {
            uid = readUid();
            thisUid = uid;
        }
        return uid;
    }

    private static volatile Integer thisUid;

    private static int readUid() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (Files.isReadable(status)) {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Uid:")) {
                    // real, effective, saved and file-system uid
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        Path probe = Files.createTempFile("multiproc-uid-", ".tmp");
        try {
            return uidOf(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /**
     * Returns the name of a run directory: {@code run-<pid scope>-<pid>-<start>}.
     */
    static String runDirectoryName(PidScope scope, long pid, long start) {
        return "run-" + scope.token() + "-" + pid + "-" + start;
    }

    /**
     * Deletes the run directories of JVMs that are gone. One whose JVM cannot be told alive or gone is kept, and so
     * is one of another pid namespace: its pid means another process here, or none.
     *
     * @param stateDir the state directory
     * @param keep this JVM's own run directory
     * @throws io.github.multiproc.MultiprocException if this JVM's start cannot be read
     */
    public static void removeStaleRunDirectories(Path stateDir, Path keep) {
        PidScope here = ThisJvm.get().scope();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stateDir, "run-*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().split("-");
                // run-<scope>-<pid>-<start>, or run-<pid>-<start> from an older version, judged by pid as it was
                PidScope scope = parts.length == 4 ? PidScope.parse(parts[1])
                        : parts.length == 3 ? PidScope.UNNAMED : null;
                if (scope != null && !dir.equals(keep)) {
                    try {
                        long pid = Long.parseLong(parts[parts.length - 2]);
                        long start = Long.parseLong(parts[parts.length - 1]);
                        if (here.status(scope, pid, start) == ProcessStart.Status.GONE) {
                            deleteTree(dir);
                        }
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}", stateDir, e);
        }
    }

    /**
     * Deletes a directory and everything in it, as far as it can; what is left is for the next JVM's clean-up.
     *
     * @param dir the directory
     */
    public static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next JVM's clean-up
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot delete {}", dir, e);
        }
    }
}
