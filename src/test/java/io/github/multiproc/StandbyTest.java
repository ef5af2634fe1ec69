package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.multiproc.fixtures.StandbyParent;
import io.github.multiproc.internal.reap.RecordedChildren;
import io.github.multiproc.internal.runtime.Settings;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.LeftoverChildren;
import io.github.multiproc.testing.SystemProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standby children: a task child JVM started after a fork, taken by the next fork that would launch the same JVM,
 * replaced at once, and never left behind.
 */
class StandbyTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    @AfterAll
    static void drain() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void secondFork_runsOnTheStandbyStartedAfterTheFirst_andTheStandbyEndsWithItsParent() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off"), StandbyParent.class,
                "warm")) {
            parent.awaitReady(DEADLINE);
            long standby = parent.numbers("STANDBY").get(0);
            long second = parent.numbers("SECOND").get(0);
            assertThat(second).as("the second fork's pid, from inside it").isEqualTo(standby);
            // the second fork's standby was replaced at once
            Await.until(DEADLINE, () -> "no new standby child of " + parent,
                    () -> childrenOf(parent.pid()).stream().anyMatch(pid -> pid != standby));
            Set<Long> running = childrenOf(parent.pid());
            parent.tell("exit");
            assertThat(parent.awaitExit(DEADLINE)).isZero();
            Await.until(Duration.ofSeconds(5), () -> "standby children still alive after their parent exited: "
                    + running, () -> running.stream().noneMatch(StandbyTest::alive));
            assertThat(RecordedChildren.live(stateDir)).as("records left by the standby children").isEmpty();
            assertThat(RecordedChildren.journals(stateDir)).as("the journal of a JVM that exited with no child left")
                    .isEmpty();
        }
    }

    @Test
    void parentKilled_itsStandbyHaltsWithinSeconds() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off"), StandbyParent.class,
                "warm")) {
            parent.awaitReady(DEADLINE);
            long standby = parent.numbers("STANDBY").get(0);
            // the second fork took that standby; its replacement is the one left waiting
            Await.until(DEADLINE, () -> "no new standby child of " + parent,
                    () -> childrenOf(parent.pid()).stream().anyMatch(pid -> pid != standby));
            Set<Long> waiting = childrenOf(parent.pid());
            parent.killForcibly();
            Await.until(Duration.ofSeconds(3), () -> "standby children alive 3 s after their parent was killed: "
                    + waiting, () -> waiting.stream().noneMatch(StandbyTest::alive));
        }
    }

    @Test
    void standbyOff_noJvmStartsAheadOfNeed() throws Exception {
        // (no class-data training JVM either: it would be one more child to count)
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=0", "-Dmultiproc.cds=off"),
                StandbyParent.class, "cold")) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.numbers("EXTRA")).containsExactly(0L);
        }
    }

    @Test
    void standbyOn_oneJvmStartsAheadOfNeed() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off"), StandbyParent.class,
                "cold")) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.numbers("EXTRA")).containsExactly(1L);
        }
    }

    /**
     * A standby's warm-up (some 400 ms of processor time, several times its JVM's start) is work done ahead: while
     * every processor is busy (here the parent's own threads, beside a child at its task) it waits, and it runs once
     * a processor is free.
     */
    @Test
    void standbyWarmUp_waitsWhileEveryProcessorIsBusy_andRunsOnceOneIsFree() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off"), StandbyParent.class,
                "busy")) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            long idleBusy = parent.numbers("IDLE-BUSY-PERMILLE").get(0);
            long idleAfter = parent.numbers("IDLE-AFTER-PERMILLE").get(0);
            assumeTrue(idleBusy >= 0 && idleBusy < 500 && idleAfter >= 1000,
                    "busy, then at least one processor free (idle " + idleBusy + " then " + idleAfter + "/1000)");
            long busy = parent.numbers("STANDBY-CPU-BUSY").get(0);
            long after = parent.numbers("STANDBY-CPU-AFTER").get(0);
            assertThat(after - busy).as("ms of processor time the standby used once processors were free, after %d "
                    + "while they were busy", busy).isGreaterThanOrEqualTo(150);
        }
    }

    /**
     * A standby's start keeps about two processors busy: at the result of a task whose sibling still keeps every
     * processor busy with its own, the replacement waits, and it starts as soon as that sibling's result is in.
     */
    @Test
    void standbyRefill_waitsWhileASiblingKeepsEveryProcessorBusy_andStartsAtItsResult() throws Exception {
        assumeTrue(java.nio.file.Files.isReadable(Path.of("/proc/loadavg")), "Linux only: elsewhere it never waits");
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off"), StandbyParent.class,
                "busy-sibling")) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.stdoutLines()).as(parent.toString()).contains("QUIET");
            assertThat(parent.numbers("STANDBY-AFTER").get(0)).as(parent.toString()).isBetween(0L, 10_000L);
        }
    }

    @Test
    void standbyThree_threeJvmsStartAheadOfNeed() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.standby=3", "-Dmultiproc.cds=off"),
                StandbyParent.class, "cold")) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            assertThat(parent.numbers("EXTRA")).containsExactly(3L);
        }
    }

    @Test
    void result_comesAfterTheTasksOwnStderr() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, StandbyParent.class, "stderr-order")) {
            assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
            List<String> lines = parent.stderrLines().stream()
                    .filter(l -> l.startsWith("CHILD-ERR ") || l.startsWith("RESULT ")).collect(Collectors.toList());
            assertThat(lines).hasSize(20 * 51);
            for (int round = 0; round < 20; round++) {
                List<String> block = lines.subList(round * 51, round * 51 + 51);
                assertThat(block.get(50)).isEqualTo("RESULT " + round);
                for (int i = 0; i < 50; i++) {
                    assertThat(block.get(i)).isEqualTo("CHILD-ERR " + round + " " + i);
                }
            }
        }
    }

    @Test
    void result_doesNotWaitForTheChildJvmToExit() throws Exception {
        // the task's JVM takes two seconds to exit after its answer: a shutdown hook of the task's own
        ChildProcess<Integer> child = Fork.call(() -> {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            return 42;
        });
        Instant asked = Instant.now();
        assertThat(child.future().get(30, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(child.result()).isEqualTo(42);
        assertThat(child.isAlive()).as("still exiting when its result came").isTrue();
        assertThat(child.exitStatus()).isEmpty();
        assertThat(child.join(DEADLINE)).contains(ExitStatus.ofCode(0));
        assertThat(Duration.between(asked, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void forksThatDifferFromTheDefaults_getAJvmOfTheirOwn() throws Exception {
        Fork.call(() -> 1).result(); // makes sure a standby is on its way
        assertThat(Fork.task(() -> System.getProperty("standby.test")).systemProperty("standby.test", "own")
                .start().result()).isEqualTo("own");
        assertThat(Fork.task(() -> Runtime.getRuntime().maxMemory()).jvmOptions("-Xmx97m").start().result())
                .isLessThan(200L << 20); // not the default, a quarter of this machine's memory
        Path dir = stateDir.toRealPath();
        assertThat(Fork.task(() -> System.getProperty("user.dir")).directory(dir).start().result())
                .isEqualTo(dir.toString());
        assertThat(Fork.task(() -> System.getenv("STANDBY_TEST")).environment("STANDBY_TEST", "env").start()
                .result()).isEqualTo("env");
    }

    @Test
    void standbyKilledWhileIdle_nextForkStillWorks() throws Exception {
        Set<Long> before = childrenOf(ProcessHandle.current().pid());
        long firstPid = Fork.call(Fork::pid).result();
        Await.until(DEADLINE, () -> "no standby child appeared", () -> childrenOf(ProcessHandle.current().pid())
                .stream().anyMatch(pid -> pid != firstPid && !before.contains(pid)));
        for (long pid : childrenOf(ProcessHandle.current().pid())) {
            if (pid != firstPid && !before.contains(pid)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                // once the JDK has reaped it (a standby that dies as it is taken fails that task, as any child would)
                Await.until(DEADLINE, () -> "killed standby " + pid + " not reaped", () -> !alive(pid));
            }
        }
        assertThat(Await.result(Fork.call(() -> "after"))).isEqualTo("after");
    }

    @Test
    void standbyTurnedOffLater_idleStandbyIsEndedAtTheNextFork() throws Exception {
        long self = ProcessHandle.current().pid();
        Set<Long> before = childrenOf(self);
        long firstPid = Fork.call(Fork::pid).result();
        Await.until(DEADLINE, () -> "no standby child appeared", () -> childrenOf(self).stream()
                .anyMatch(pid -> pid != firstPid && !before.contains(pid)));
        Set<Long> idle = childrenOf(self).stream().filter(pid -> pid != firstPid && !before.contains(pid))
                .collect(Collectors.toSet());
        SystemProperties.with("multiproc.standby", "0", () -> {
            long pid = Fork.call(Fork::pid).result();
            assertThat(idle).doesNotContain(pid);
            Await.until(Duration.ofSeconds(10), () -> "idle standby still alive: " + idle,
                    () -> idle.stream().noneMatch(StandbyTest::alive));
            return null;
        });
    }

    @Test
    void burstOfForks_keepsMoreStandbys_thenTheExtraOnesRetire() throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off",
                "-Dmultiproc.standbyMax=3"), StandbyParent.class, "burst")) {
            assertThat(parent.awaitExit(Duration.ofSeconds(120))).as(parent.toString()).isZero();
            assertThat(parent.numbers("SUM")).containsExactly(66L);
            // the task child and more than the one standby kept at rest: 12 forks back to back outpace any JVM start
            assertThat(parent.numbers("PEAK").get(0)).as("most children at once during the burst").isGreaterThan(2L);
            // the extra standbys leave some 5 s after the last fork that found none ready
            assertThat(parent.numbers("SETTLED").get(0)).as("ms until one standby was left").isBetween(0L, 30_000L);
        }
    }

    @Test
    void badStandbyMax_failsTheForkAndNamesTheProperty() {
        badCount_failsTheForkAndNamesTheProperty("multiproc.standbyMax", "many", "17");
    }

    @Test
    void badStandbyCount_failsTheForkAndNamesTheProperty() {
        badCount_failsTheForkAndNamesTheProperty("multiproc.standby", "lots", "-1");
    }

    private static void badCount_failsTheForkAndNamesTheProperty(String property, String notANumber,
            String outOfRange) {
        String old = System.getProperty(property);
        System.setProperty(property, notANumber);
        try {
            assertThatThrownBy(() -> Fork.call(() -> 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(property).hasMessageContaining(notANumber);
            System.setProperty(property, outOfRange);
            assertThatThrownBy(() -> Fork.call(() -> 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 to " + Settings.MAX_STANDBY);
        } finally {
            if (old == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, old);
            }
        }
    }

    private static Set<Long> childrenOf(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.map(h -> h.children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet())).orElse(Set.of());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
