package io.github.multiproc.internal.reap;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of every live child in the state directory: one small file per child, written when it starts and
 * removed when it has been reaped. What survives a JVM that was killed is how {@code Fork.orphans()} finds the
 * children it left behind, and the start instants in it rule out a reused pid. Each record names its {@link PidScope},
 * so that JVMs of other pid namespaces sharing the directory never judge it by its pid.
 *
 * <p>Thread safety: safe for concurrent use; files are replaced atomically.
 */
public final class ChildRecords {
    private static final Logger LOG = LoggerFactory.getLogger(ChildRecords.class);
    private static final String SUFFIX = ".child";

    private final Path dir;
    private final ThisJvm self;

    /**
     * Creates the records of this JVM's children in {@code dir}.
     *
     * @param dir the state directory
     * @throws io.github.multiproc.MultiprocException if this JVM's start cannot be read
     */
    public ChildRecords(Path dir) {
        this.dir = dir;
        this.self = ThisJvm.get();
    }

    /**
     * Records a child that has just started at {@code start} (see {@link ProcessStart}); the state directory is made
     * again first if something removed it.
     */
    public void add(ProcessHandle child, long start, String name, String command, ParentExit policy) {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(child.pid()));
        p.setProperty("start", Long.toString(start));
        p.setProperty("ownerPid", Long.toString(self.pid()));
        p.setProperty("ownerStart", Long.toString(self.start()));
        p.setProperty("scope", self.scope().token());
        p.setProperty("name", name);
        p.setProperty("command", command.length() > 4000 ? command.substring(0, 4000) + "..." : command);
        p.setProperty("policy", policy.name());
        StringBuilder text = new StringBuilder(256);
        for (String key : new String[] {"pid", "start", "ownerPid", "ownerStart", "scope", "name", "command",
            "policy"}) {
            text.append(key).append('=').append(escape(p.getProperty(key))).append('\n');
        }
        Path file = dir.resolve(fileName(child.pid(), start));
        try {
            try {
                write(text, file);
            } catch (NoSuchFileException gone) {
                // a /tmp cleaner removed the state directory
                StateDirectory.privateDirectory(dir);
                write(text, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record child " + child.pid() + " in " + dir, e);
        }
    }

    private void write(CharSequence text, Path file) throws IOException {
        Path tmp = Files.createTempFile(dir, ".child-", ".tmp");
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
    }

    private String fileName(long pid, long start) {
        return self.scope().token() + "-" + pid + "-" + start + SUFFIX;
    }

    /** Forgets a child that has been reaped. */
    public void remove(ProcessHandle child, long start) {
        try {
            Files.deleteIfExists(dir.resolve(fileName(child.pid(), start)));
        } catch (IOException e) {
            LOG.debug("cannot remove the record of {}", child.pid(), e);
        }
    }

    /** Escapes for {@link Properties#load}: backslash, line breaks, and unicode escapes are not needed in UTF-8. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** A parsed record. */
    record Entry(long pid, long start, long ownerPid, long ownerStart, PidScope scope, String name, String command,
            Path file) {
    }

    List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                if (!StateDirectory.trusted(f)) {
                    // another user's, planted while the directory was not private: it could name any process
                    LOG.debug("ignoring record {}: not written by this user alone", f);
                    continue;
                }
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    p.load(r);
                    // a record of an older version names no scope: judged by pid, as it always was
                    PidScope scope = p.getProperty("scope") == null ? PidScope.UNNAMED
                            : Objects.requireNonNull(PidScope.parse(p.getProperty("scope")), "scope");
                    entries.add(new Entry(Long.parseLong(p.getProperty("pid")),
                            Long.parseLong(p.getProperty("start")), Long.parseLong(p.getProperty("ownerPid")),
                            Long.parseLong(p.getProperty("ownerStart")), scope, p.getProperty("name", ""),
                            p.getProperty("command", ""), f));
                } catch (IOException | RuntimeException e) {
                    LOG.debug("skipping unreadable record {}", f, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return entries;
    }

    /** A live recorded process whose owner is gone, and its record. */
    record Orphan(ProcessHandle process, Entry entry) {
    }

    /**
     * Returns the live recorded processes whose owner is gone; deletes records of processes that have ended (or of
     * another boot). A process that cannot be told alive or gone (a read of {@code /proc} failed, or it is of another
     * pid namespace) is neither: its record is kept and judged again next time.
     */
    List<Orphan> orphans() {
        List<Orphan> orphans = new ArrayList<>();
        for (Entry e : entries()) {
            ProcessStart.Status child = self.scope().status(e.scope(), e.pid(), e.start());
            if (child == ProcessStart.Status.GONE) {
                deleteQuietly(e.file());
            } else if (child == ProcessStart.Status.ALIVE
                    && self.scope().status(e.scope(), e.ownerPid(), e.ownerStart()) == ProcessStart.Status.GONE) {
                Optional<ProcessHandle> handle = ProcessHandle.of(e.pid());
                if (handle.isPresent()) {
                    LOG.debug("orphan: pid {} ({}) started by {} which is gone; command: {}", e.pid(), e.name(),
                            e.ownerPid(), e.command());
                    orphans.add(new Orphan(handle.get(), e));
                }
            }
        }
        return orphans;
    }

    /**
     * Deletes the record of an orphan if it has ended, that one record only: another with the same pid may name
     * another process (of another pid namespace).
     *
     * @return whether it has ended
     */
    boolean forgetIfEnded(Orphan orphan) {
        Entry e = orphan.entry();
        if (self.scope().status(e.scope(), e.pid(), e.start()) != ProcessStart.Status.GONE) {
            return false;
        }
        deleteQuietly(e.file());
        return true;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", file, e);
        }
    }
}
