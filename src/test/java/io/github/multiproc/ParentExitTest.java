package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.OrphanReaper;
import io.github.multiproc.fixtures.ParentOfChildren;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.OsProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens to children when their parent JVM ends, normally or by SIGKILL, for each {@link ParentExit} policy,
 * and how {@link Fork#orphans()} and {@link Fork#reapOrphans()} find and end what is left. The parents are fixture
 * JVMs ({@link ParentOfChildren}), each with the test's own state directory.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ParentExitTest {
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration GONE_DEADLINE = Duration.ofSeconds(3);

    @TempDir
    Path stateDir;

    private final List<FixtureJvm> fixtures = new ArrayList<>();
    private final List<Long> childPids = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        fixtures.forEach(FixtureJvm::close);
        childPids.forEach(OsProcess::killQuietly);
    }

    @Test
    void terminate_parentSigkilled_taskChildrenEndWithin3s() throws Exception {
        FixtureJvm parent = startParent("TERMINATE", "sleep-task", "2", "block");
        List<Long> children = awaitTaskChildrenRunning(parent, 2);

        parent.killForcibly();

        awaitAllGone(children, "TERMINATE task children of a SIGKILLed parent", parent);
    }

    @Test
    void terminate_parentExitsNormally_taskChildEndsWithin3s() throws Exception {
        FixtureJvm parent = startParent("TERMINATE", "sleep-task", "1", "exit-on-stdin");
        List<Long> children = awaitTaskChildrenRunning(parent, 1);

        parent.tell("EXIT");
        assertThat(parent.awaitExit(START_DEADLINE)).as("exit code of %s", parent).isZero();

        awaitAllGone(children, "TERMINATE task child of a parent that exited", parent);
    }

    @Test
    void wait_parentExitsWhileTaskRuns_exitWaitsForChild(@TempDir Path markerDir) throws Exception {
        Path marker = markerDir.resolve("child-done");
        FixtureJvm parent = startParent("WAIT", "marker-task", "1", "exit-on-stdin", marker.toString());
        awaitTaskChildrenRunning(parent, 1);

        parent.tell("EXIT");
        int code = parent.awaitExit(START_DEADLINE);

        assertThat(Files.exists(marker)).as("the child's marker when %s exited", parent).isTrue();
        assertThat(code).isZero();
    }

    /** Python's {@code p.start()} at the end of a script: the interpreter's exit still waits for {@code p}. */
    @Test
    void wait_parentExitsRightAfterStart_exitWaitsForChild(@TempDir Path markerDir) throws Exception {
        Path marker = markerDir.resolve("child-done");
        FixtureJvm parent = startParent("WAIT", "marker-task", "1", "exit", marker.toString());
        parent.awaitReady(START_DEADLINE);
        childPids.addAll(parent.numbers("CHILD"));

        int code = parent.awaitExit(START_DEADLINE);

        assertThat(Files.exists(marker)).as("the child's marker when %s exited", parent).isTrue();
        assertThat(code).isZero();
    }

    @Test
    void detach_parentExits_childSurvivesAndIsReapedAsOrphan() throws Exception {
        FixtureJvm parent = startParent("DETACH", "sleep-task", "1", "exit-on-stdin");
        long child = awaitTaskChildrenRunning(parent, 1).get(0);

        parent.tell("EXIT");
        assertThat(parent.awaitExit(START_DEADLINE)).as("exit code of %s", parent).isZero();
        // longer than the 1 s in which TERMINATE task children notice a lost parent
        Await.holds(Duration.ofMillis(1500), () -> "detached child alive: " + OsProcess.describe(child),
                () -> OsProcess.isRunning(child));

        ReaperOutput reaped = runOrphanReaper();

        assertThat(reaped.orphans()).as("orphans listed by %s", reaped.fixture()).contains(child);
        assertThat(reaped.reaped()).isGreaterThanOrEqualTo(1);
        awaitAllGone(List.of(child), "reaped DETACH child", reaped.fixture());
    }

    /** start() has returned, so the detached task runs even if its parent exits before the child JVM is up. */
    @Test
    void detach_parentExitsRightAfterStart_childStillRunsTask() throws Exception {
        FixtureJvm parent = startParent("DETACH", "sleep-task", "1", "exit");
        parent.awaitReady(START_DEADLINE);
        List<Long> children = parent.numbers("CHILD");
        childPids.addAll(children);

        assertThat(parent.awaitExit(START_DEADLINE)).as("exit code of %s", parent).isZero();

        Await.until(START_DEADLINE, () -> "RUNNING line of the detached child: " + parent,
                () -> parent.numbers("RUNNING").containsAll(children));
        assertThat(OsProcess.isRunning(children.get(0))).isTrue();
    }

    @Test
    void commandChild_parentSigkilled_listedAsOrphanAndReaped() throws Exception {
        FixtureJvm parent = startParent("TERMINATE", "sleep-command", "1", "block");
        parent.awaitReady(START_DEADLINE);
        long child = parent.numbers("CHILD").get(0);
        childPids.add(child);
        assertThat(OsProcess.isRunning(child)).as("sleep %s", OsProcess.describe(child)).isTrue();

        parent.killForcibly();

        ReaperOutput reaped = runOrphanReaper();
        assertThat(reaped.orphans()).as("orphans listed by %s", reaped.fixture()).contains(child);
        assertThat(reaped.reaped()).isGreaterThanOrEqualTo(1);
        awaitAllGone(List.of(child), "reaped command child", reaped.fixture());
    }

    @Test
    void orphans_parentStillAlive_childNotListed() throws Exception {
        FixtureJvm parent = startParent("DETACH", "sleep-command", "1", "block");
        parent.awaitReady(START_DEADLINE);
        long child = parent.numbers("CHILD").get(0);
        childPids.add(child);

        ReaperOutput reaped = runOrphanReaper();

        assertThat(reaped.orphans()).as("orphans listed by %s", reaped.fixture()).doesNotContain(child);
        assertThat(OsProcess.isRunning(child)).as("child of a live parent %s", OsProcess.describe(child)).isTrue();
    }

    private FixtureJvm startParent(String... args) throws Exception {
        FixtureJvm parent = FixtureJvm.start(stateDir, ParentOfChildren.class, args);
        fixtures.add(parent);
        return parent;
    }

    /** Waits for READY and for each task child's own {@code RUNNING <pid>} line, so the task is really running. */
    private List<Long> awaitTaskChildrenRunning(FixtureJvm parent, int count) throws Exception {
        parent.awaitReady(START_DEADLINE);
        List<Long> children = parent.numbers("CHILD");
        childPids.addAll(children);
        assertThat(children).as("children of %s", parent).hasSize(count);
        Await.until(START_DEADLINE, () -> "RUNNING lines of all children: " + parent,
                () -> parent.numbers("RUNNING").containsAll(children));
        return children;
    }

    private static void awaitAllGone(List<Long> pids, String what, FixtureJvm context) throws InterruptedException {
        Await.until(GONE_DEADLINE,
                () -> what + " still running: " + pids.stream().filter(OsProcess::isRunning)
                        .map(OsProcess::describe).collect(Collectors.toList()) + "\n" + context,
                () -> pids.stream().noneMatch(OsProcess::isRunning));
    }

    private ReaperOutput runOrphanReaper() throws Exception {
        FixtureJvm reaper = FixtureJvm.start(stateDir, OrphanReaper.class);
        fixtures.add(reaper);
        assertThat(reaper.awaitExit(START_DEADLINE)).as("exit code of %s", reaper).isZero();
        String reapedLine = reaper.awaitLine(line -> line.startsWith("REAPED "), Duration.ofSeconds(5));
        return new ReaperOutput(reaper, reaper.numbers("ORPHAN"), Integer.parseInt(reapedLine.substring(7).trim()));
    }

    /** What {@link OrphanReaper} printed. */
    private record ReaperOutput(FixtureJvm fixture, List<Long> orphans, int reaped) {
    }
}
