package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.PoolParent;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.OsProcess;
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
 * A pool's workers do not outlive the JVM that owns the pool, whether it is killed with SIGKILL or exits normally with
 * the pool still open. The owners are fixture JVMs ({@link PoolParent}).
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolParentExitTest {
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration GONE_DEADLINE = Duration.ofSeconds(3);

    @TempDir
    Path stateDir;

    private final List<FixtureJvm> fixtures = new ArrayList<>();
    private final List<Long> workers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        fixtures.forEach(FixtureJvm::close);
        workers.forEach(OsProcess::killQuietly);
    }

    @Test
    void pool_parentSigkilled_workersEndWithin3s() throws Exception {
        FixtureJvm parent = startParent("2", "block");
        List<Long> pids = awaitWorkers(parent, 2);

        parent.killForcibly();

        awaitAllGone(pids, "workers of a SIGKILLed pool owner", parent);
    }

    @Test
    void pool_parentExitsWithPoolOpen_workersEndWithin3s() throws Exception {
        FixtureJvm parent = startParent("2", "exit");
        List<Long> pids = awaitWorkers(parent, 2);

        assertThat(parent.awaitExit(START_DEADLINE)).as("exit code of %s", parent).isZero();

        awaitAllGone(pids, "workers of a pool owner that exited", parent);
    }

    private FixtureJvm startParent(String... args) throws Exception {
        FixtureJvm parent = FixtureJvm.start(stateDir, PoolParent.class, args);
        fixtures.add(parent);
        return parent;
    }

    private List<Long> awaitWorkers(FixtureJvm parent, int count) throws Exception {
        parent.awaitReady(START_DEADLINE);
        List<Long> pids = parent.numbers("WORKER");
        workers.addAll(pids);
        assertThat(pids).as("workers of %s", parent).hasSize(count);
        return pids;
    }

    private static void awaitAllGone(List<Long> pids, String what, FixtureJvm context) throws InterruptedException {
        Await.until(GONE_DEADLINE,
                () -> what + " still running: " + pids.stream().filter(OsProcess::isRunning)
                        .map(OsProcess::describe).collect(Collectors.toList()) + "\n" + context,
                () -> pids.stream().noneMatch(OsProcess::isRunning));
    }
}
