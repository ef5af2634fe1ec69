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
 * <p>Thread safety: stateless.
 */
public final class StateDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private StateDirectory() {
    }

    /**
     * Creates {@code dir} (mode 0700) or checks that an existing one is ours and private.
     *
     * @param dir the directory
     * @return {@code dir}
     * @throws MultiprocException if it cannot be made, is not a directory, or belongs to someone else
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
            String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            String me = System.getProperty("user.name");
            if (!owner.equals(me)) {
                throw new MultiprocException("state directory " + dir + " belongs to " + owner + ", not " + me
                        + "; set the system property multiproc.stateDir to a directory of your own");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!perms.equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
            return dir;
        } catch (IOException e) {
            throw new MultiprocException("cannot prepare state directory " + dir + ": " + e, e);
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
