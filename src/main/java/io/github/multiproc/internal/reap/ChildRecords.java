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
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of every live child in the state directory: one small file per child, written when it starts and
 * removed when it has been reaped. What survives a JVM that was killed is how {@code Fork.orphans()} finds the
 * children it left behind, and the start instants in it rule out a reused pid.
 *
 * <p>Thread safety: safe for concurrent use; files are replaced atomically.
 */
public final class ChildRecords {
    private static final Logger LOG = LoggerFactory.getLogger(ChildRecords.class);
    private static final String SUFFIX = ".child";

    private final Path dir;
    private final long ownerPid;
    private final long ownerStart;

    public ChildRecords(Path dir) {
        this.dir = dir;
        ProcessHandle self = ProcessHandle.current();
        this.ownerPid = self.pid();
        this.ownerStart = ProcessStart.of(self);
    }

    /** Records a child that has just started at {@code start} (see {@link ProcessStart}). */
    public void add(ProcessHandle child, long start, String name, String command, ParentExit policy) {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(child.pid()));
        p.setProperty("start", Long.toString(start));
        p.setProperty("ownerPid", Long.toString(ownerPid));
        p.setProperty("ownerStart", Long.toString(ownerStart));
        p.setProperty("name", name);
        p.setProperty("command", command.length() > 4000 ? command.substring(0, 4000) + "..." : command);
        p.setProperty("policy", policy.name());
        Path file = dir.resolve(child.pid() + "-" + p.getProperty("start") + SUFFIX);
        try {
            Path tmp = dir.resolve("." + child.pid() + "-" + System.nanoTime() + ".tmp");
            StringBuilder text = new StringBuilder(256);
            for (String key : new String[] {"pid", "start", "ownerPid", "ownerStart", "name", "command", "policy"}) {
                text.append(key).append('=').append(escape(p.getProperty(key))).append('\n');
            }
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record child " + child.pid() + " in " + dir, e);
        }
    }

    /** Forgets a child that has been reaped. */
    public void remove(ProcessHandle child, long start) {
        try {
            Files.deleteIfExists(dir.resolve(child.pid() + "-" + start + SUFFIX));
        } catch (IOException e) {
            LOG.debug("cannot remove the record of {}", child.pid(), e);
        }
    }

    /** Escapes for {@link Properties#load}: backslash, line breaks, and unicode escapes are not needed in UTF-8. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** A parsed record. */
    record Entry(long pid, long start, long ownerPid, long ownerStart, String name, String command, Path file) {
    }

    List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    p.load(r);
                    entries.add(new Entry(Long.parseLong(p.getProperty("pid")),
                            Long.parseLong(p.getProperty("start")), Long.parseLong(p.getProperty("ownerPid")),
                            Long.parseLong(p.getProperty("ownerStart")), p.getProperty("name", ""),
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

    /**
     * Returns the live recorded processes whose owner is gone; deletes records of processes that have ended. A
     * process that cannot be told alive or gone (a read of {@code /proc} failed) is neither: its record is kept and
     * judged again next time.
     */
    List<ProcessHandle> orphans() {
        List<ProcessHandle> orphans = new ArrayList<>();
        for (Entry e : entries()) {
            ProcessStart.Status child = ProcessStart.status(e.pid(), e.start());
            if (child == ProcessStart.Status.GONE) {
                deleteQuietly(e.file());
            } else if (child == ProcessStart.Status.ALIVE
                    && ProcessStart.status(e.ownerPid(), e.ownerStart()) == ProcessStart.Status.GONE) {
                Optional<ProcessHandle> handle = ProcessHandle.of(e.pid());
                if (handle.isPresent()) {
                    LOG.debug("orphan: pid {} ({}) started by {} which is gone; command: {}", e.pid(), e.name(),
                            e.ownerPid(), e.command());
                    orphans.add(handle.get());
                }
            }
        }
        return orphans;
    }

    /** Deletes the record of an orphan that was ended. */
    void forget(ProcessHandle orphan) {
        for (Entry e : entries()) {
            if (e.pid() == orphan.pid()) {
                deleteQuietly(e.file());
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", file, e);
        }
    }
}
