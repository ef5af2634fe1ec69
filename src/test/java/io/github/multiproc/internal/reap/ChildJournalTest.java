package io.github.multiproc.internal.reap;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.ParentExit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This JVM's journal of its children, as a file: what it appends, how another JVM reads it back (a torn last line
 * included), compaction, and its deletion at exit. The orphans of a killed JVM's journal, with real processes, are in
 * {@link ChildRecordsTest}.
 */
final class ChildJournalTest {
    @TempDir
    Path dir;

    @Test
    void read_startedAndReaped_listsOnlyTheLiveChildrenInOrder() throws Exception {
        ChildJournal journal = journal();
        journal.started(11, 110, "first", "sleep 1", ParentExit.TERMINATE);
        journal.started(12, 120, "second", "sleep 2", ParentExit.DETACH);
        journal.started(13, 130, "third", "sleep 3", ParentExit.WAIT);
        journal.reaped(12, 120);

        List<ChildJournal.Line> live = ChildJournal.read(journal.file());

        assertThat(live).extracting(ChildJournal.Line::pid).containsExactly(11L, 13L);
        assertThat(live.get(1).policy()).isEqualTo(ParentExit.WAIT);
        assertThat(live.get(1).name()).isEqualTo("third");
        assertThat(live.get(1).command()).isEqualTo("sleep 3");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.file())))
                .isEqualTo("rw-------");
        assertThat(StateDirectory.trusted(journal.file())).isTrue();
    }

    /** A reaped child of the same pid with another start is another process: only that one is forgotten. */
    @Test
    void reaped_samePidOtherStart_keepsTheOther() throws Exception {
        ChildJournal journal = journal();
        journal.started(7, 1, "old", "a", ParentExit.TERMINATE);
        journal.reaped(7, 2); // never recorded here: nothing is written
        journal.started(7, 3, "new", "b", ParentExit.TERMINATE);
        journal.reaped(7, 1);

        assertThat(ChildJournal.read(journal.file())).extracting(ChildJournal.Line::start).containsExactly(3L);
        assertThat(lines(journal.file())).hasSize(4); // header, two starts, one reap
    }

    @Test
    void read_namesAndCommandsWithTabsLineBreaksAndBackslashes_comeBackAsWritten() throws Exception {
        ChildJournal journal = journal();
        String command = "sh -c 'printf \"a\\tb\\n\"'\tand\r\nmore \\ \u00e9";
        journal.started(5, 50, "a\tname\nwith\\breaks", command, ParentExit.TERMINATE);

        ChildJournal.Line line = ChildJournal.read(journal.file()).get(0);

        assertThat(line.name()).isEqualTo("a\tname\nwith\\breaks");
        assertThat(line.command()).isEqualTo(command);
        assertThat(lines(journal.file())).hasSize(2);
    }

    /** A JVM killed in the middle of a write leaves its last line without a line break. */
    @Test
    void read_tornLastLine_skippedAndTheWholeLinesRead() throws Exception {
        Path file = dir.resolve(ChildJournal.fileName(ThisJvm.get().scope(), 1, 2));
        Files.writeString(file, "# header\nS\t21\t210\tTERMINATE\tone\tsleep 9\nS\t22\t220\tDETACH\ttwo\tsleep 9\n"
                + "R\t21\t210\nS\t23\t230\tTERMIN", StandardCharsets.UTF_8);

        assertThat(ChildJournal.read(file)).extracting(ChildJournal.Line::pid).containsExactly(22L);

        // torn in the middle of a reap: the child is still listed, as it would be had the line not been begun
        Files.writeString(file, "S\t22\t220\tDETACH\ttwo\tsleep 9\nR\t22\t2", StandardCharsets.UTF_8);
        assertThat(ChildJournal.read(file)).extracting(ChildJournal.Line::pid).containsExactly(22L);
    }

    @Test
    void read_linesThatCannotBeParsed_skipped() throws Exception {
        Path file = dir.resolve(ChildJournal.fileName(ThisJvm.get().scope(), 1, 2));
        Files.writeString(file, "S\tx\t1\tTERMINATE\ta\tb\nS\t3\t4\tNOPE\ta\tb\nS\t5\t6\tWAIT\ta\nQ\t1\n\n"
                + "S\t7\t8\tWAIT\tok\tcmd\n", StandardCharsets.UTF_8);

        assertThat(ChildJournal.read(file)).extracting(ChildJournal.Line::pid).containsExactly(7L);
    }

    @Test
    void reaped_manyChildrenCameAndWent_journalCompactedToTheLiveOnes() throws Exception {
        ChildJournal journal = journal();
        journal.started(1, 1, "long-lived", "sleep 1000", ParentExit.DETACH);
        for (int i = 0; i < 3 * ChildJournal.COMPACT_AT; i++) {
            journal.started(1000 + i, 5, "short-" + i, "true", ParentExit.TERMINATE);
            journal.reaped(1000 + i, 5);
        }
        journal.started(2, 2, "last", "sleep 1000", ParentExit.TERMINATE);

        assertThat(ChildJournal.read(journal.file())).extracting(ChildJournal.Line::name)
                .containsExactly("long-lived", "last");
        assertThat(lines(journal.file())).as("lines of %s", journal.file()).hasSizeLessThanOrEqualTo(
                ChildJournal.COMPACT_AT + 3);
        assertThat(leftovers()).as("temporary files").isEmpty();
    }

    @Test
    void close_noChildLeft_deletesTheJournal_andALaterChildWritesItAgain() throws Exception {
        ChildJournal journal = journal();
        journal.started(3, 30, "c", "true", ParentExit.TERMINATE);
        journal.reaped(3, 30);

        journal.close();
        assertThat(journal.file()).doesNotExist();

        journal.started(4, 40, "d", "true", ParentExit.TERMINATE);
        assertThat(ChildJournal.read(journal.file())).extracting(ChildJournal.Line::pid).containsExactly(4L);
    }

    @Test
    void close_detachedChildLeft_keepsOnlyIt() throws Exception {
        ChildJournal journal = journal();
        journal.started(3, 30, "gone", "true", ParentExit.TERMINATE);
        journal.started(4, 40, "detached", "sleep 100", ParentExit.DETACH);
        journal.reaped(3, 30);

        journal.close();

        assertThat(lines(journal.file())).hasSize(2);
        assertThat(ChildJournal.read(journal.file())).extracting(ChildJournal.Line::name).containsExactly("detached");
    }

    /** What a {@code /tmp} cleaner does: the next line writes the journal again, with every live child. */
    @Test
    void started_journalAndStateDirectoryRemoved_writtenAgainWhole() throws Exception {
        Path stateDir = dir.resolve("state");
        StateDirectory.privateDirectory(stateDir);
        ChildJournal journal = new ChildJournal(stateDir, ThisJvm.get());
        journal.started(8, 80, "before", "sleep 100", ParentExit.TERMINATE);
        StateDirectory.deleteTree(stateDir);

        journal.started(9, 90, "after", "sleep 100", ParentExit.TERMINATE);

        assertThat(ChildJournal.read(journal.file())).extracting(ChildJournal.Line::name)
                .containsExactly("before", "after");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir))).isEqualTo("rwx------");
    }

    private ChildJournal journal() {
        return new ChildJournal(dir, ThisJvm.get());
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    private List<String> leftovers() throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp"))
                    .collect(Collectors.toList());
        }
    }
}
