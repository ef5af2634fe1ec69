package io.github.multiproc.internal.ipc;

import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where segments live and how they are found again: {@code /dev/shm} where it exists (memory, never written to
 * disk), else the directory {@code shm} of the state directory. A segment's file is its own record: its name,
 * {@code multiproc-ipc-<pid>-<start>-<kind>-<random>}, names the JVM that made it, so that {@link #removeOrphaned}
 * can tell the files of a JVM that was killed from those of one that runs. The files are made with mode 0600: only
 * this user's processes can map them. This JVM deletes the files it made when it closes them or exits.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class SegmentFiles {
    private static final String PREFIX = "multiproc-ipc-";
    private static final Path DEV_SHM = Path.of("/dev/shm");
    private static final Set<Segment> CREATED = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;

    private SegmentFiles() {
    }

    /**
     * Returns the directories segments may be in.
     *
     * @param stateDir the state directory
     * @return {@code /dev/shm} if it is a directory, and the state directory's {@code shm}
     */
    static List<Path> directories(Path stateDir) {
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(DEV_SHM) && Files.isWritable(DEV_SHM)) {
            dirs.add(DEV_SHM);
        }
        dirs.add(stateDir.resolve("shm"));
        return dirs;
    }

    /** Where this JVM makes its segments instead, if set ({@link #makeIn}). */
    private static volatile Path madeIn;

    /**
     * Makes this JVM's segments in {@code dir} from now on, not in {@code /dev/shm}: for the JVM that trains the
     * children's class-data archive, which its parent may kill at any moment and whose work directory that parent
     * deletes, with whatever is in it.
     *
     * @param dir the directory
     */
    static void makeIn(Path dir) {
        madeIn = dir;
    }

    static Path newPath(Segment.Kind kind, Path stateDir) {
        Path forced = madeIn;
        Path dir = forced != null ? forced : directories(stateDir).get(0);
        return dir.resolve(PREFIX + ThisProcess.PID + "-" + ThisProcess.START + "-" + kind.tag() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
    }

    /**
     * Makes the file, mode 0600, and writes its zeros so that a full {@code /dev/shm} fails here rather than with a
     * SIGBUS at a later write to the mapping.
     */
    static FileChannel createFile(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        FileChannel file;
        try {
            file = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a file " + path + " is there already", e);
        }
        hookExit();
        return file;
    }

    /** Fills {@code bytes} bytes of a new file with zeros. */
    static void fill(FileChannel file, long bytes) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(bytes, 1 << 16));
        for (long at = 0; at < bytes; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - at));
            at += file.write(zeros, at);
        }
    }

    static void created(Segment segment) {
        CREATED.add(segment);
    }

    static void removed(Segment segment) {
        CREATED.remove(segment);
        deleteWithBells(segment.path());
    }

    /** Deletes a segment's file and the FIFOs of its {@link Doorbell}s, which are named after it. */
    static void deleteWithBells(Path path) {
        delete(path);
        for (int n = 0; n < Doorbell.MAX_BELLS; n++) {
            delete(Doorbell.fifoOf(path, n));
        }
    }

    static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // left for Fork.reapOrphans()
        }
    }

    private static void hookExit() {
        if (!hooked) {
            synchronized (SegmentFiles.class) {
                if (!hooked) {
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        Doorbell.awaitMakers(1000); // no FIFO made after its segment's files are deleted
                        CREATED.forEach(Segment::close);
                    }, "multiproc-ipc-exit"));
                    hooked = true;
                }
            }
        }
    }

    /**
     * Deletes the segment files of JVMs that are gone. A file whose JVM cannot be told alive or gone is kept.
     *
     * @param stateDir the state directory
     * @return how many were deleted
     */
    public static int removeOrphaned(Path stateDir) {
        int removed = 0;
        for (Path dir : directories(stateDir)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
                for (Path file : files) {
                    String[] parts = file.getFileName().toString().substring(PREFIX.length()).split("-");
                    try {
                        if (parts.length == 4 && ProcessStart.status(Long.parseLong(parts[0]),
                                Long.parseLong(parts[1])) == ProcessStart.Status.GONE && Files.deleteIfExists(file)
                                && parts[3].indexOf('.') < 0) {
                            removed++; // a segment; a doorbell's FIFO (".bell<n>") goes with it, uncounted
                        }
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            } catch (IOException e) {
                // what cannot be listed now is for the next call
            }
        }
        return removed;
    }
}
