package io.github.multiproc.internal.reap;

import io.github.multiproc.ParentExit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's journal of its children in the state directory, {@code journal-<pid scope>-<pid>-<start>.log}: one line
 * appended when a child has started ({@code S}, with its pid, start, policy, name and command) and one when it has
 * been reaped ({@code R}, its pid and start). The children it lists are the started ones not reaped since. Only this
 * JVM writes it while it runs; other JVMs read it, and rewrite or delete it only once this JVM is gone
 * ({@link ChildRecords#orphans()}).
 *
 * <p>Each line is appended by one {@code write} to a file opened for appending, so a reader sees whole lines, except
 * that a JVM killed in the middle of a write may leave a torn last line without its line break: readers skip it (it
 * names no child that a whole line does not name as well, since a started child's line is written at once after its
 * start). The journal is rewritten with only the live children (compacted) once {@value #COMPACT_AT} lines have been
 * appended since it was last written whole, and more than twice as many as there are live children; at this JVM's
 * normal exit ({@link #close()}) it is deleted when no child is left in it. Nothing is synced to disk: the lines
 * survive a killed JVM (they are in the kernel's page cache), as the file of each child did before, not a crash of
 * the machine. A {@code /tmp} cleaner that removed the file (or the whole state directory) is noticed at the next
 * line, which writes the file again whole.
 *
 * <p>Thread safety: safe for concurrent use; writes are serialized by one lock.
 */
final class ChildJournal {
    private static final Logger LOG = LoggerFactory.getLogger(ChildJournal.class);
    static final String PREFIX = "journal-";
    static final String SUFFIX = ".log";
    /** Lines appended since the file was last written whole after which it is compacted (if mostly reaped). */
    static final int COMPACT_AT = 1024;
    private static final String HEADER = "# multiproc child journal 1: S pid start policy name command | R pid start\n";

    private final Path dir;
    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    /** The live children's {@code S} lines, by {@code "<pid> <start>"}; guarded by {@link #lock}. */
    private final Map<String, String> live = new LinkedHashMap<>();
    /** Open while the file is being appended to; null before the first child and after {@link #close()}. */
    private FileChannel channel;
    /** Lines appended since the file was last written whole; guarded by {@link #lock}. */
    private int appended;

    ChildJournal(Path dir, ThisJvm self) {
        this.dir = dir;
        this.file = dir.resolve(fileName(self.scope(), self.pid(), self.start()));
    }

    /** The journal's file, whether or not it exists now. */
    Path file() {
        return file;
    }

    static String fileName(PidScope scope, long pid, long start) {
        return PREFIX + scope.token() + "-" + pid + "-" + start + SUFFIX;
    }

    /** Appends that a child has started. */
    void started(long pid, long start, String name, String command, ParentExit policy) {
        String line = "S\t" + pid + "\t" + start + "\t" + policy.name() + "\t" + escape(name) + "\t"
                + escape(command.length() > 4000 ? command.substring(0, 4000) + "..." : command) + "\n";
        lock.lock();
        try {
            live.put(pid + " " + start, line);
            append(line);
        } finally {
            lock.unlock();
        }
    }

    /** Appends that a child has been reaped; nothing if it was not recorded here. */
    void reaped(long pid, long start) {
        lock.lock();
        try {
            if (live.remove(pid + " " + start) == null) {
                return;
            }
            if (appended >= COMPACT_AT && appended > 2 * live.size()) {
                rewrite();
            } else {
                append("R\t" + pid + "\t" + start + "\n");
            }
        } catch (IOException e) {
            LOG.debug("cannot compact {}", file, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * At this JVM's normal exit: deletes the journal if no child is left in it, else leaves only the live children
     * in it. A child started or reaped later writes it again.
     */
    void close() {
        lock.lock();
        try {
            closeChannel();
            if (live.isEmpty()) {
                Files.deleteIfExists(file);
            } else {
                rewrite();
                closeChannel();
            }
        } catch (IOException e) {
            LOG.debug("cannot close {}", file, e);
        } finally {
            lock.unlock();
        }
    }

    /** Appends one line; opens (or writes whole) the file first where it is not open or no longer there. */
    private void append(String line) {
        try {
            if (channel == null || !Files.exists(file)) {
                rewrite(); // the live children, this one included
                return;
            }
            write(channel, line);
            appended++;
        } catch (IOException e) {
            closeChannel();
            throw new UncheckedIOException("cannot write the journal " + file, e);
        }
    }

    /** Writes the file whole with only the live children, atomically, and keeps it open for appending. */
    private void rewrite() throws IOException {
        StringBuilder text = new StringBuilder(HEADER);
        live.values().forEach(text::append);
        closeChannel();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, ".journal-", ".tmp"); // mode 0600
        } catch (NoSuchFileException gone) {
            StateDirectory.privateDirectory(dir); // a /tmp cleaner removed the state directory
            tmp = Files.createTempFile(dir, ".journal-", ".tmp");
        }
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        appended = live.size();
    }

    private static void write(FileChannel channel, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private void closeChannel() {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("cannot close {}", file, e);
            }
        }
    }

    // ---------------------------------------------------------------- reading (any JVM's journal)

    /** A child a journal lists as started and not reaped. */
    record Line(long pid, long start, ParentExit policy, String name, String command, String text) {
    }

    /**
     * Reads the live children of a journal: those started and not reaped since. A last line without its line break
     * (torn by a JVM killed while writing it) and a line that cannot be parsed are skipped.
     *
     * @param journal the file
     * @return its live children, in the order they started
     * @throws IOException if it cannot be read
     */
    static List<Line> read(Path journal) throws IOException {
        String text = Files.readString(journal, StandardCharsets.UTF_8);
        Map<String, Line> started = new LinkedHashMap<>();
        int from = 0;
        for (int end = text.indexOf('\n'); end >= 0; from = end + 1, end = text.indexOf('\n', from)) {
            String[] f = text.substring(from, end).split("\t", -1);
            try {
                if (f[0].equals("S") && f.length == 6) {
                    Line line = new Line(Long.parseLong(f[1]), Long.parseLong(f[2]), ParentExit.valueOf(f[3]),
                            unescape(f[4]), unescape(f[5]), text.substring(from, end + 1));
                    started.put(f[1] + " " + f[2], line);
                } else if (f[0].equals("R") && f.length == 3) {
                    started.remove(Long.parseLong(f[1]) + " " + Long.parseLong(f[2]));
                }
            } catch (IllegalArgumentException e) {
                LOG.debug("skipping a line of {} that cannot be parsed", journal, e);
            }
        }
        return new ArrayList<>(started.values());
    }

    /**
     * Writes another JVM's journal (its JVM is gone) again with only {@code lines}, atomically, or deletes it if
     * there are none.
     */
    static void replace(Path journal, List<Line> lines) throws IOException {
        if (lines.isEmpty()) {
            Files.deleteIfExists(journal);
            return;
        }
        StringBuilder text = new StringBuilder(HEADER);
        lines.forEach(l -> text.append(l.text()));
        Path tmp = Files.createTempFile(journal.getParent(), ".journal-", ".tmp"); // mode 0600
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Keeps each entry on one line and its fields apart: backslash, tab and line breaks are escaped. */
    static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String e = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : null;
            if (e != null && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (out != null) {
                if (e != null) {
                    out.append(e);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }

    static String unescape(String value) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char n = value.charAt(++i);
                out.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
