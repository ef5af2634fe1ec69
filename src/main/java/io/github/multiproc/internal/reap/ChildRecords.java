package io.github.multiproc.internal.reap;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of live children in the state directory. This JVM records its own in its {@link ChildJournal}, one line
 * when a child starts and one when it has been reaped; files of one record each ({@code <scope>-<pid>-<start>.child})
 * are what older versions wrote, and are still read. What survives a JVM that was killed is how
 * {@code Fork.orphans()} finds the children it left behind, and the start instants in it rule out a reused pid. Each
 * journal and record names its {@link PidScope}, so that JVMs of other pid namespaces sharing the directory never
 * judge it by its pid.
 *
 * <p>Thread safety: safe for concurrent use; files of other JVMs are replaced atomically.
 */
public final class ChildRecords {
    private static final Logger LOG = LoggerFactory.getLogger(ChildRecords.class);
    private static final String SUFFIX = ".child";

    private final Path dir;
    private final ThisJvm self;
    private final ChildJournal journal;

    /**
     * Creates the records of this JVM's children in {@code dir}; its journal is made with the first child.
     *
     * @param dir the state directory
     * @throws io.github.multiproc.MultiprocException if this JVM's start cannot be read
     */
    public ChildRecords(Path dir) {
        this.dir = dir;
        this.self = ThisJvm.get();
        this.journal = new ChildJournal(dir, self);
    }

    /**
     * Records a child that has just started at {@code start} (see {@link ProcessStart}): one line appended to this
     * JVM's journal; the state directory and the journal are made again first if something removed them.
     *
     * @param child the child
     * @param start its start
     * @param name its name
     * @param command its command line
     * @param policy what happens to it at this JVM's exit
     * @throws UncheckedIOException if the journal cannot be written
     */
    public void add(ProcessHandle child, long start, String name, String command, ParentExit policy) {
        journal.started(child.pid(), start, name, command, policy);
    }

    /**
     * Forgets a child that has been reaped.
     *
     * @param child the child
     * @param start its start
     */
    public void remove(ProcessHandle child, long start) {
        try {
            journal.reaped(child.pid(), start);
        } catch (RuntimeException e) {
            LOG.debug("cannot record that {} was reaped", child.pid(), e);
        }
    }

    /**
     * At this JVM's normal exit, once its children's exit policies have run: deletes its journal if no child is left
     * in it (a {@code DETACH} child, or one that did not end in time, keeps it).
     */
    public void close() {
        journal.close();
    }

    /**
     * A parsed record: from a journal ({@code line} set), or from a file of its own (an older version's).
     */
    record Entry(long pid, long start, long ownerPid, long ownerStart, PidScope scope, String name, String command,
            Path file, ChildJournal.Line line) {
    }

    /** The records of every journal and record file in the directory that only this user could have written. */
    List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String fileName = f.getFileName().toString();
                Entry owner = owner(fileName);
                if (owner == null && !fileName.endsWith(SUFFIX)) {
                    continue;
                }
                if (!StateDirectory.trusted(f)) {
                    // another user's, planted while the directory was not private: it could name any process
                    LOG.debug("ignoring record {}: not written by this user alone", f);
                    continue;
                }
                try {
                    if (owner != null) {
                        entries.addAll(journalEntries(f, owner));
                    } else {
                        entries.add(fileEntry(f));
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("skipping unreadable record {}", f, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return entries;
    }

    /** The JVM that writes a journal, from its name {@code journal-<scope>-<pid>-<start>.log}; null if not one. */
    private static Entry owner(String fileName) {
        if (!fileName.startsWith(ChildJournal.PREFIX) || !fileName.endsWith(ChildJournal.SUFFIX)) {
            return null;
        }
        String[] parts = fileName.substring(ChildJournal.PREFIX.length(),
                fileName.length() - ChildJournal.SUFFIX.length()).split("-");
        PidScope scope = parts.length == 3 ? PidScope.parse(parts[0]) : null;
        try {
            return scope == null ? null
                    : new Entry(0, 0, Long.parseLong(parts[1]), Long.parseLong(parts[2]), scope, "", "", null, null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The live children of a journal. */
    private static List<Entry> journalEntries(Path f, Entry owner) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (ChildJournal.Line l : ChildJournal.read(f)) {
            entries.add(new Entry(l.pid(), l.start(), owner.ownerPid(), owner.ownerStart(), owner.scope(), l.name(),
                    l.command(), f, l));
        }
        return entries;
    }

    /** A record file of an older version of this library. */
    private static Entry fileEntry(Path f) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        // a record of an older version still names no scope: judged by pid, as it always was
        PidScope scope = p.getProperty("scope") == null ? PidScope.UNNAMED
                : Objects.requireNonNull(PidScope.parse(p.getProperty("scope")), "scope");
        return new Entry(Long.parseLong(p.getProperty("pid")), Long.parseLong(p.getProperty("start")),
                Long.parseLong(p.getProperty("ownerPid")), Long.parseLong(p.getProperty("ownerStart")), scope,
                p.getProperty("name", ""), p.getProperty("command", ""), f, null);
    }

    /** A live recorded process whose owner is gone, and its record. */
    record Orphan(ProcessHandle process, Entry entry) {
    }

    /**
     * Returns the live recorded processes whose owner is gone; forgets the records of processes that have ended (or
     * of another boot). A process that cannot be told alive or gone (a read of {@code /proc} failed, or it is of
     * another pid namespace) is neither: its record is kept and judged again next time. The journal of a JVM that
     * runs (or cannot be told gone) is never changed here: only its JVM writes it.
     */
    List<Orphan> orphans() {
        List<Orphan> orphans = new ArrayList<>();
        Map<Path, List<ChildJournal.Line>> journals = new LinkedHashMap<>();
        Map<Path, Boolean> changed = new LinkedHashMap<>();
        for (Entry e : entries()) {
            ProcessStart.Status owner = self.scope().status(e.scope(), e.ownerPid(), e.ownerStart());
            if (e.line() != null && owner != ProcessStart.Status.GONE) {
                continue; // its JVM keeps it: a child it has not reaped yet is its own, not an orphan
            }
            ProcessStart.Status child = self.scope().status(e.scope(), e.pid(), e.start());
            if (e.line() != null) {
                journals.computeIfAbsent(e.file(), f -> new ArrayList<>());
                if (child == ProcessStart.Status.GONE) {
                    changed.put(e.file(), true);
                } else {
                    journals.get(e.file()).add(e.line());
                }
            } else if (child == ProcessStart.Status.GONE) {
                deleteQuietly(e.file());
            }
            if (child == ProcessStart.Status.ALIVE && owner == ProcessStart.Status.GONE) {
                Optional<ProcessHandle> handle = ProcessHandle.of(e.pid());
                if (handle.isPresent()) {
                    LOG.debug("orphan: pid {} ({}) started by {} which is gone; command: {}", e.pid(), e.name(),
                            e.ownerPid(), e.command());
                    orphans.add(new Orphan(handle.get(), e));
                }
            }
        }
        journals.forEach((file, live) -> {
            if (changed.containsKey(file)) {
                replaceQuietly(file, live);
            }
        });
        deleteEmptyJournalsOfGoneJvms(journals.keySet());
        return orphans;
    }

    /**
     * Deletes the journals, other than {@code judged}, whose JVM is gone and which list no live child: all its
     * children had been reaped when it was killed.
     */
    private void deleteEmptyJournalsOfGoneJvms(java.util.Set<Path> judged) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ChildJournal.PREFIX + "*")) {
            for (Path f : files) {
                Entry owner = owner(f.getFileName().toString());
                try {
                    if (owner != null && !judged.contains(f) && StateDirectory.trusted(f)
                            && self.scope().status(owner.scope(), owner.ownerPid(), owner.ownerStart())
                                    == ProcessStart.Status.GONE
                            && ChildJournal.read(f).isEmpty()) {
                        deleteQuietly(f);
                    }
                } catch (IOException e) {
                    LOG.debug("cannot read {}", f, e); // deleted by another JVM meanwhile, as a rule
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list the journals in {}", dir, e);
        }
    }

    /**
     * Forgets the record of an orphan if it has ended, that one record only: another with the same pid may name
     * another process (of another pid namespace).
     *
     * @return whether it has ended
     */
    boolean forgetIfEnded(Orphan orphan) {
        Entry e = orphan.entry();
        if (self.scope().status(e.scope(), e.pid(), e.start()) != ProcessStart.Status.GONE) {
            return false;
        }
        if (e.line() == null) {
            deleteQuietly(e.file());
            return true;
        }
        try {
            List<ChildJournal.Line> live = ChildJournal.read(e.file());
            live.removeIf(l -> l.pid() == e.pid() && l.start() == e.start());
            replaceQuietly(e.file(), live);
        } catch (NoSuchFileException gone) {
            // another JVM forgot it first
        } catch (IOException ex) {
            LOG.debug("cannot read {}", e.file(), ex);
        }
        return true;
    }

    /** Writes a gone JVM's journal again with only {@code live}, or deletes it if there are none. */
    private static void replaceQuietly(Path journal, List<ChildJournal.Line> live) {
        try {
            ChildJournal.replace(journal, live);
        } catch (IOException e) {
            LOG.debug("cannot rewrite {}", journal, e);
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
