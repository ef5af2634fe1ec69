package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.OrphanGrandparent;
import io.github.multiproc.fixtures.OrphanReaper;
import io.github.multiproc.internal.child.ChildMain;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.LeftoverChildren;
import io.github.multiproc.testing.OsProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task children, pool workers and standby children run with this JVM's {@code multiproc.*} settings, unless their
 * builder sets its own; so a child records its own children in the state directory its parent reads.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class InheritedSettingsTest {
    /** A setting of the library's name that the library itself does not read, so that setting it here is harmless. */
    private static final String SETTING = "multiproc.test.inherited";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    private final List<FixtureJvm> fixtures = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();

    @BeforeEach
    void startWithoutChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        System.clearProperty(SETTING);
        fixtures.forEach(FixtureJvm::close);
        pids.forEach(OsProcess::killQuietly);
        LeftoverChildren.endAndDrain();
    }

    @Test
    void taskChild_parentHasASetting_childHasItUnlessItsBuilderSetsItsOwn() throws Exception {
        System.setProperty(SETTING, "inherited");

        assertThat(Fork.call(() -> System.getProperty(SETTING)).result()).isEqualTo("inherited");
        assertThat(Fork.task(() -> System.getProperty(SETTING)).systemProperty(SETTING, "own").start().result())
                .isEqualTo("own");
        assertThat(Fork.task(() -> System.getProperty(SETTING)).jvmOptions("-D" + SETTING + "=option").start()
                .result()).isEqualTo("option");
    }

    @Test
    void poolWorkers_parentHasASetting_workersHaveItUnlessThePoolSetsItsOwn() throws Exception {
        System.setProperty(SETTING, "inherited");

        try (ProcessPool inheriting = ProcessPool.builder().workers(1).build();
                ProcessPool own = ProcessPool.builder().workers(1).systemProperty(SETTING, "own").build()) {
            assertThat(inheriting.apply(() -> System.getProperty(SETTING))).isEqualTo("inherited");
            assertThat(own.apply(() -> System.getProperty(SETTING))).isEqualTo("own");
        }
    }

    @Test
    void standby_settingChangedSinceItsLaunch_isNotTaken() throws Exception {
        long self = Fork.pid();
        Set<Long> known = new HashSet<>(standbysOf(self));
        System.setProperty(SETTING, "before");
        ChildProcess<String> first = Fork.call(() -> System.getProperty(SETTING));
        assertThat(first.result()).isEqualTo("before");
        known.add(first.pid());
        long standby = awaitNewStandby(self, known);
        // the setting has not changed: the standby is taken, and the fork's launch key is made with "before"
        ChildProcess<String> second = Fork.call(() -> System.getProperty(SETTING));
        assertThat(second.result()).isEqualTo("before");
        assertThat(second.pid()).as("the standby launched with the same setting").isEqualTo(standby);
        known.add(standby);
        long launchedBefore = awaitNewStandby(self, known);

        System.setProperty(SETTING, "after");
        ChildProcess<String> third = Fork.call(() -> System.getProperty(SETTING));

        assertThat(third.result()).as("the setting in the fork after the change").isEqualTo("after");
        assertThat(third.pid()).as("the standby launched before the change").isNotEqualTo(launchedBefore);
    }

    /** A task child of a JVM run with {@code -Dmultiproc.stateDir} records its own children there. */
    @Test
    void orphans_grandchildDetachedByATaskChild_listedInTheParentsStateDirAndReaped() throws Exception {
        FixtureJvm parent = FixtureJvm.start(stateDir, OrphanGrandparent.class);
        fixtures.add(parent);
        parent.awaitReady(DEADLINE);
        long grandchild = parent.numbers("GRANDCHILD").get(0);
        pids.add(grandchild);
        assertThat(parent.awaitExit(DEADLINE)).as("exit code of %s", parent).isZero();

        assertThat(OsProcess.isRunning(grandchild)).as("detached grandchild %s", OsProcess.describe(grandchild))
                .isTrue();

        FixtureJvm reaper = FixtureJvm.start(stateDir, OrphanReaper.class);
        fixtures.add(reaper);
        assertThat(reaper.awaitExit(DEADLINE)).as("exit code of %s", reaper).isZero();
        String reaped = reaper.awaitLine(line -> line.startsWith("REAPED "), DEADLINE);
        assertThat(reaper.numbers("ORPHAN")).as("orphans listed by %s", reaper).contains(grandchild);
        assertThat(Integer.parseInt(reaped.substring("REAPED ".length()).trim())).isGreaterThanOrEqualTo(1);
        Await.until(Duration.ofSeconds(5), () -> "reaped grandchild still running: " + OsProcess.describe(grandchild),
                () -> !OsProcess.isRunning(grandchild));
        assertThat(parent.awaitLine(line -> line.startsWith("CHILD_STATE_DIR "), DEADLINE))
                .isEqualTo("CHILD_STATE_DIR " + stateDir);
    }

    /** Waits for a standby child of {@code self} that is none of the known ones, and returns its pid. */
    private static long awaitNewStandby(long self, Set<Long> known) throws InterruptedException {
        Await.until(DEADLINE, () -> "no new standby child among " + standbysOf(self),
                () -> standbysOf(self).stream().anyMatch(pid -> !known.contains(pid)));
        return standbysOf(self).stream().filter(pid -> !known.contains(pid)).findFirst().orElseThrow();
    }

    /** The live child processes of {@code pid} whose last argument marks a standby (all of them where unknown). */
    private static Set<Long> standbysOf(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.map(h -> h.children().filter(ProcessHandle::isAlive)
                .filter(child -> child.info().arguments()
                        .map(args -> args.length > 0
                                && java.util.Arrays.asList(args[args.length - 1].split(",")).contains(ChildMain.STANDBY)).orElse(true))
                .map(ProcessHandle::pid).collect(Collectors.toSet())).orElse(Set.of());
    }
}
