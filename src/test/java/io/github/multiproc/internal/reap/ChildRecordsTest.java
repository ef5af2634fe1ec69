package io.github.multiproc.internal.reap;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.fixtures.ForkOnRequest;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.OsProcess;
import io.github.multiproc.testing.ProcessWrappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records of children in the state directory, as another JVM judges them ({@code Fork.orphans()},
 * {@code Fork.reapOrphans()}): a record goes only when its process is known to be gone. The judging JVM is a fixture
 * ({@link io.github.multiproc.fixtures.OrphanReaper}) with this test's state directory, started in whatever setting
 * the case needs, or this JVM's {@link OrphanReaper}.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ChildRecordsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Lists {@code Fork.orphans()} and prints what {@code Fork.reapOrphans()} returns. */
    private static final Class<?> REAPER_FIXTURE = io.github.multiproc.fixtures.OrphanReaper.class;
    /** A uid with no passwd entry, as {@code docker run -u 1234} gives. */
    private static final int OTHER_UID = 1234;

    @TempDir
    Path stateDir;

    @TempDir
    Path scratch;

    private final List<Process> processes = new ArrayList<>();
    private final List<FixtureJvm> fixtures = new ArrayList<>();
    private final List<Long> sleepers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        fixtures.forEach(FixtureJvm::close);
        processes.forEach(Process::destroyForcibly);
        sleepers.forEach(OsProcess::killQuietly);
    }

    /** A transient {@code /proc} failure ("Too many open files" in production) means "cannot tell", not "gone". */
    @Test
    void orphans_procStatUnreadable_recordAndRunDirectoryKept() throws Exception {
        ProcessHandle sleeper = start("sleep", "120");
        long start = ProcessStart.of(sleeper);
        new ChildRecords(stateDir).add(sleeper, start, "sleeper", "sleep 120", ParentExit.DETACH);
        Path runDir = Files.createDirectory(stateDir.resolve(StateDirectory.runDirectoryName(ThisJvm.get().scope(),
                sleeper.pid(), start)));
        List<String> unreadable = ProcessWrappers.procStatUnreadable(sleeper.pid(), scratch);

        FixtureJvm reaper = fixture(unreadable, List.of(), REAPER_FIXTURE);

        assertThat(reaper.awaitExit(DEADLINE)).as("exit code of %s", reaper).isZero();
        assertThat(reaper.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 0");
        assertThat(records()).as("records after %s", reaper).hasSize(1);
        assertThat(runDir).as("run directory of a process %s could not see", reaper).isDirectory();
    }

    /** A record of the same pid from another pid namespace names another process: reaping leaves it alone. */
    @Test
    void reapOrphans_samePidRecordedInAnotherPidNamespace_onlyTheOrphansRecordIsForgotten() throws Exception {
        ProcessHandle orphan = start("sleep", "120");
        long start = ProcessStart.of(orphan);
        long deadOwner = endedProcess();
        PidScope here = ThisJvm.get().scope();
        Path ours = writeRecord(here, orphan.pid(), start, deadOwner);
        Path theirs = writeRecord(new PidScope(here.boot(), "1"), orphan.pid(), start, deadOwner);
        OrphanReaper reaper = new OrphanReaper(new ChildRecords(stateDir));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            assertThat(reaper.reapOrphans(Duration.ofMillis(100), timer)).isEqualTo(1);
        } finally {
            timer.shutdownNow();
        }

        // it has ended (reapOrphans counts a zombie as ended); the JDK's reaper thread, which waits for this test's
        // own child, may take a moment more before the handle says so
        Await.until(DEADLINE, () -> "the orphan " + orphan.pid() + " still alive", () -> !orphan.isAlive());
        assertThat(ours).as("the orphan's record").doesNotExist();
        assertThat(theirs).as("the record of another namespace's process").exists();
    }

    /** An orphan that could be signalled but did not end (here: it may not be signalled) is not counted as ended. */
    @Test
    void reapOrphans_orphanThatDoesNotEnd_notCountedAndRecordKept() throws Exception {
        List<String> withoutKill = ProcessWrappers.withoutKillCapability();
        List<String> command = new ArrayList<>(ProcessWrappers.asUid(OTHER_UID));
        command.addAll(List.of("sleep", "120"));
        ProcessHandle orphan = start(command.toArray(String[]::new));
        Path record = writeRecord(ThisJvm.get().scope(), orphan.pid(), ProcessStart.of(orphan), endedProcess());

        FixtureJvm reaper = fixture(withoutKill, List.of("-Dmultiproc.terminateGrace=PT0.1S"), REAPER_FIXTURE);

        assertThat(reaper.awaitExit(DEADLINE)).as("exit code of %s", reaper).isZero();
        assertThat(reaper.numbers("ORPHAN")).as("orphans listed by %s", reaper).containsExactly(orphan.pid());
        assertThat(reaper.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 0");
        assertThat(orphan.isAlive()).as("the orphan").isTrue();
        assertThat(record).as("the record of an orphan still running").exists();

        FixtureJvm privileged = fixture(List.of(), List.of(), REAPER_FIXTURE);
        assertThat(privileged.awaitExit(DEADLINE)).as("exit code of %s", privileged).isZero();
        assertThat(privileged.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 1");
        assertThat(record).as("the record of the orphan %s ended", privileged).doesNotExist();
    }

    /** A record another user could have written would have this JVM signal whatever process it names. */
    @Test
    void orphans_recordOfAnotherUserOrWritableByOthers_neverListed() throws Exception {
        ProcessHandle victim = start("sleep", "120");
        long start = ProcessStart.of(victim);
        Path theirs = writeRecord(ThisJvm.get().scope(), victim.pid(), start, endedProcess());
        Path writable = Files.copy(theirs, stateDir.resolve("writable-" + theirs.getFileName()));
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-"));
        Assumptions.assumeTrue(uidOf(theirs) == 0, "only root can give a file to another user");
        Files.setOwner(theirs, stateDir.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(OTHER_UID)));

        assertThat(new OrphanReaper(new ChildRecords(stateDir)).orphans()).isEmpty();
        assertThat(victim.isAlive()).isTrue();
    }

    /**
     * A JVM killed with SIGKILL leaves its journal: its command children still run, and another JVM lists and ends
     * them, then deletes the journal, which names no live child any more. A line the killed JVM tore is skipped.
     */
    @Test
    void reapOrphans_journalOfSigkilledJvm_itsLiveChildrenListedEndedAndTheJournalDeleted() throws Exception {
        FixtureJvm owner = fixture(List.of(), List.of("-Dmultiproc.standby=0"), ForkOnRequest.class);
        long first = sleeper(owner, 1);
        long second = sleeper(owner, 2);
        List<String> journals = RecordedChildren.journals(stateDir);
        assertThat(journals).as("journals of %s", owner).hasSize(1);
        Path journal = stateDir.resolve(journals.get(0));
        assertThat(journal.getFileName().toString()).contains("-" + owner.pid() + "-");

        owner.killForcibly();
        Files.writeString(journal, "S\t1\t1\tDETA", StandardOpenOption.APPEND); // torn by the kill

        FixtureJvm reaper = fixture(List.of(), List.of(), REAPER_FIXTURE);
        assertThat(reaper.awaitExit(DEADLINE)).as("exit code of %s", reaper).isZero();
        assertThat(reaper.numbers("ORPHAN")).as("orphans listed by %s", reaper).containsExactlyInAnyOrder(first,
                second);
        assertThat(reaper.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 2");
        for (long pid : List.of(first, second)) {
            Await.until(DEADLINE, () -> "orphan " + pid + " still running",
                    () -> ProcessStart.status(pid, 0) == ProcessStart.Status.GONE
                            || ProcessHandle.of(pid).map(h -> !ProcessStart.running(h)).orElse(true));
        }
        assertThat(journal).as("the journal of %s once its children were reaped", owner).doesNotExist();
    }

    /**
     * Two JVMs share the state directory, each with its own journal: while both run, neither's children are
     * orphans; once one is killed, only its children are, and the other's journal is left as it was.
     */
    @Test
    void orphans_twoJvmsShareTheDirectory_onlyTheKilledOnesChildrenAreOrphans() throws Exception {
        FixtureJvm killed = fixture(List.of(), List.of("-Dmultiproc.standby=0"), ForkOnRequest.class);
        FixtureJvm running = fixture(List.of(), List.of("-Dmultiproc.standby=0"), ForkOnRequest.class);
        long killedChild = sleeper(killed, 1);
        long runningChild = sleeper(running, 1);
        assertThat(RecordedChildren.journals(stateDir)).as("journals").hasSize(2);
        OrphanReaper reaper = new OrphanReaper(new ChildRecords(stateDir));
        assertThat(reaper.orphans()).as("orphans while both JVMs run").isEmpty();
        Path runningJournal = stateDir.resolve(RecordedChildren.journals(stateDir).stream()
                .filter(n -> n.contains("-" + running.pid() + "-")).findFirst().orElseThrow());
        String runningText = Files.readString(runningJournal);

        killed.killForcibly();

        assertThat(reaper.orphans()).extracting(ProcessHandle::pid).containsExactly(killedChild);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            assertThat(reaper.reapOrphans(Duration.ofMillis(100), timer)).isEqualTo(1);
        } finally {
            timer.shutdownNow();
        }
        assertThat(RecordedChildren.journals(stateDir)).as("journals after reaping").containsExactly(
                runningJournal.getFileName().toString());
        assertThat(Files.readString(runningJournal)).as("the journal of %s", running).isEqualTo(runningText);
        assertThat(ProcessHandle.of(runningChild).map(ProcessHandle::isAlive)).as("the child of %s", running)
                .contains(true);
    }

    /** Starts {@code sleep 120} in a {@link ForkOnRequest} fixture, the {@code n}th request, and returns its pid. */
    private long sleeper(FixtureJvm fixture, int n) throws Exception {
        fixture.tell("SLEEP");
        String answer = fixture.awaitLine(line -> line.startsWith(n + " "), DEADLINE);
        assertThat(answer).as("%s", fixture).startsWith(n + " OK ");
        long pid = Long.parseLong(answer.substring((n + " OK ").length()));
        sleepers.add(pid);
        return pid;
    }

    /** The pid of a process that has ended: an owner that is gone. */
    private static long endedProcess() throws Exception {
        Process process = new ProcessBuilder("true").start();
        assertThat(process.waitFor(30, SECONDS)).isTrue();
        return process.pid();
    }

    /** Writes a record as a JVM of {@code scope} would have, whose owner started at an instant no process has. */
    private Path writeRecord(PidScope scope, long pid, long start, long ownerPid) throws IOException {
        Path file = stateDir.resolve(scope.token() + "-" + pid + "-" + start + ".child");
        Files.writeString(file, "pid=" + pid + "\nstart=" + start + "\nownerPid=" + ownerPid + "\nownerStart=1\n"
                + "scope=" + scope.token() + "\nname=orphan\ncommand=sleep 120\npolicy=DETACH\n");
        return file;
    }

    private static int uidOf(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private ProcessHandle start(String... command) throws IOException {
        Process process = new ProcessBuilder(command).start();
        processes.add(process);
        return process.toHandle();
    }

    private FixtureJvm fixture(List<String> wrapper, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException {
        FixtureJvm fixture = FixtureJvm.startWrapped(wrapper, stateDir, jvmOptions, main, args);
        fixtures.add(fixture);
        return fixture;
    }

    private List<String> records() {
        return RecordedChildren.live(stateDir);
    }
}
