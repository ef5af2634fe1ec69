package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.OsProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replacing a dead worker when that fails in this JVM, or races terminate(): the pool retries, gives up with a
 * reason when no worker can be started, never hangs, and leaves no worker alive once it is terminated. A bad
 * {@code multiproc.cds} makes every launch fail in this JVM, as a full disk or a pids limit would.
 */
@Timeout(value = 120, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolReplacementTest {
    private static final Duration DEADLINE = Await.CHILD_DEADLINE;

    @AfterEach
    void restore() {
        System.clearProperty("multiproc.cds");
    }

    private static void killAndAwait(long pid) throws InterruptedException {
        OsProcess.killQuietly(pid);
        Await.until(DEADLINE, () -> "worker " + pid + " still running", () -> !OsProcess.isRunning(pid));
    }

    @Test
    void lastWorkerDies_replacementCannotBeLaunched_queuedAndNewTasksFailWithWhy_closeReturns() throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(1).name("unlaunchable").build();
        long pid = pool.workerPids().get(0);
        CompletableFuture<Long> running = pool.applyAsync(() -> {
            Thread.sleep(60_000);
            return 1L;
        });
        Await.until(DEADLINE, () -> "task not running", () -> pool.stats().running() == 1);
        CompletableFuture<Integer> queued = pool.applyAsync(() -> 2);
        System.setProperty("multiproc.cds", "bogus");
        killAndAwait(pid);

        assertThat(catchThrowable(() -> running.get(30, SECONDS))).cause().isInstanceOf(ChildCrashedException.class);
        Throwable whyQueued = catchThrowable(() -> queued.get(30, SECONDS));
        assertThat(whyQueued).isInstanceOf(ExecutionException.class).cause().isInstanceOf(MultiprocException.class)
                .hasMessageContaining("unlaunchable: no worker can be started").hasMessageContaining("multiproc.cds");
        // a new task fails at once, with the same reason
        CompletableFuture<Integer> late = pool.applyAsync(() -> 3);
        assertThat(late).isCompletedExceptionally();
        assertThat(catchThrowable(() -> pool.apply(() -> 4))).isInstanceOf(MultiprocException.class)
                .hasMessageContaining("no worker can be started");
        pool.close();
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void oneOfTwoWorkersDies_replacementFailsForAWhile_theOtherServes_thenTheSlotIsFilledAgain() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).name("limping").build()) {
            long dead = pool.workerPids().get(0);
            System.setProperty("multiproc.cds", "bogus");
            killAndAwait(dead);
            Await.until(DEADLINE, () -> "the dead worker's slot was not emptied: " + pool.workerPids(),
                    () -> pool.workerPids().size() == 1);
            // more launches fail than the limit for workers dying before they are ready: the pool does not give up
            // while a worker is left, and that worker runs the tasks
            for (int i = 0; i < 20; i++) {
                assertThat(pool.apply((Integer x) -> x + 1, i)).isEqualTo(i + 1);
            }
            System.clearProperty("multiproc.cds");
            Await.until(DEADLINE, () -> "no replacement: " + pool.workerPids(), () -> pool.workerPids().size() == 2);
            assertThat(pool.map((Integer x) -> x * x, List.of(1, 2, 3))).containsExactly(1, 4, 9);
        }
    }

    /** Pids of this JVM's descendants whose command line names {@code marker}. */
    private static List<Long> processesNamed(String marker) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toList());
    }

    @Test
    void terminate_racingAReplacementLaunch_noWorkerAliveOnceTerminated() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "racing-" + i;
            ProcessPool pool = ProcessPool.builder().workers(1).name(name).build();
            OsProcess.killQuietly(pool.workerPids().get(0));
            // terminate while the replacement is being launched: the restart is counted right before the launch,
            // which takes a few milliseconds; spin (with a deadline) rather than poll, not to miss that window
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (pool.stats().workerRestarts() == 0 && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            assertThat(pool.stats().workerRestarts()).isEqualTo(1);
            pool.terminate();
            assertThat(pool.join(DEADLINE)).isTrue();
            // none alive now, nor a moment later: a replacement launched after terminate() would show up within
            // a few milliseconds of it
            try {
                Await.holds(Duration.ofMillis(500), () -> name + " has a worker alive after join()",
                        () -> processesNamed(name + "-worker-").isEmpty());
            } catch (AssertionError e) {
                List<Long> alive = processesNamed(name + "-worker-");
                leaks.add(name + ": " + alive);
                alive.forEach(OsProcess::killQuietly);
            }
        }
        assertThat(leaks).as("workers alive after join() returned").isEmpty();
    }
}
