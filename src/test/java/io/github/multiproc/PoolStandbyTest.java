package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.PoolStandbyParent;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool takes the standby child JVM that is there as a worker (its create returns once one worker is ready, the
 * others joining as they come), never one launched otherwise than its workers would be, and its close ends a
 * worker that has not even connected.
 */
class PoolStandbyTest {
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path stateDir;

    @AfterAll
    static void drain() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    private FixtureJvm run(String mode) throws Exception {
        FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Dmultiproc.cds=off"), PoolStandbyParent.class, mode);
        assertThat(parent.awaitExit(DEADLINE)).as(parent.toString()).isZero();
        return parent;
    }

    @Test
    void pool_takesTheStandbyAsAWorker_andItRunsTasksAndTheInitializer() throws Exception {
        try (FixtureJvm parent = run("plain")) {
            long standby = parent.numbers("STANDBY").get(0);
            assertThat(parent.numbers("WORKER")).as(parent.toString()).hasSize(2).contains(standby);
            assertThat(parent.numbers("RAN")).as("the standby ran tasks as a worker").contains(standby);
            assertThat(parent.numbers("INIT")).as("tasks that saw the initializer's work").containsExactly(6L);
            assertThat(parent.numbers("LEFT")).as("workers alive after close()").containsExactly(0L);
            assertThat(parent.stderrLines()).as("nothing logged as a fault").noneMatch(l -> l.contains("WARN")
                    || l.contains("ERROR") || l.contains("died"));
        }
    }

    @Test
    void poolWithJvmOptions_doesNotTakeTheStandby() throws Exception {
        try (FixtureJvm parent = run("options")) {
            long standby = parent.numbers("STANDBY").get(0);
            assertThat(parent.numbers("WORKER")).as(parent.toString()).hasSize(2).doesNotContain(standby);
            // (one worker or both: the pool runs tasks as soon as its first worker is ready)
            assertThat(parent.numbers("RAN")).as(parent.toString()).isNotEmpty().doesNotContain(standby);
            assertThat(parent.numbers("INIT")).containsExactly(6L);
            assertThat(parent.numbers("LEFT")).containsExactly(0L);
        }
    }

    @Test
    void closeRightAfterCreate_endsTheWorkerStillStarting_andLogsNoFault() throws Exception {
        try (FixtureJvm parent = run("close-at-once")) {
            long standby = parent.numbers("STANDBY").get(0);
            assertThat(parent.numbers("WORKER")).as(parent.toString()).hasSize(2).contains(standby);
            assertThat(parent.numbers("LEFT")).as("workers alive after close()").containsExactly(0L);
            assertThat(parent.stderrLines()).as("nothing logged as a fault").noneMatch(l -> l.contains("WARN")
                    || l.contains("ERROR") || l.contains("died"));
        }
    }
}
