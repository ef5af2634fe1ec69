package io.github.multiproc;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.OsProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers that die or hang: {@code Runtime.halt}, SIGKILL from outside, {@link OutOfMemoryError}, the task timeout,
 * and {@code cancel}. Each fails exactly its own task, and the pool goes on working with a replacement worker.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolFaultTest {
    private static final Duration DEADLINE = Await.CHILD_DEADLINE;

    @TempDir
    Path dir;

    private final List<ProcessPool> pools = new ArrayList<>();

    @AfterEach
    void terminatePools() throws InterruptedException {
        for (ProcessPool pool : pools) {
            List<Long> pids = pool.workerPids();
            pool.terminate();
            pool.join(Duration.ofSeconds(10));
            pids.forEach(OsProcess::killQuietly);
        }
    }

    private ProcessPool track(ProcessPool pool) {
        pools.add(pool);
        return pool;
    }

    /** Used inside tasks: writes this worker's pid to {@code path} (atomically), then sleeps as the work. */
    static void announceAndSleep(String path, long millis) throws Exception {
        Path tmp = Path.of(path + ".tmp");
        Files.writeString(tmp, Long.toString(Fork.pid()));
        Files.move(tmp, Path.of(path), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(millis);
    }

    /** Waits until a task has written its worker's pid to {@code file}. */
    private static long awaitPid(Path file) throws Exception {
        Await.until(DEADLINE, () -> "pid file " + file, () -> Files.exists(file));
        return Long.parseLong(Files.readString(file).trim());
    }

    private static Throwable failureOf(CompletableFuture<?> future, Duration within) throws InterruptedException {
        try {
            Object value = future.get(within.toMillis(), MILLISECONDS);
            throw new AssertionError("expected a failure, got value " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("future not done within " + within);
        }
    }

    @Test
    void applyAsync_oneOf500HaltsWorker_499ResultsAndOneCrash() throws Exception {
        ProcessPool pool = track(ProcessPool.create(2));
        List<Long> originalPids = pool.workerPids();
        SerializableFunction<Integer, Integer> fn = x -> {
            if (x == 250) {
                Runtime.getRuntime().halt(99);
            }
            return x * 2;
        };
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(pool.applyAsync(fn, i));
        }

        List<Integer> values = new ArrayList<>();
        Map<Integer, Throwable> failures = new TreeMap<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                values.add(futures.get(i).get(60, SECONDS));
            } catch (ExecutionException e) {
                failures.put(i, e.getCause());
            }
        }

        assertThat(failures.keySet()).as("failed items: %s", failures).containsExactly(250);
        assertThat(failures.get(250)).isInstanceOfSatisfying(ChildCrashedException.class, crash -> {
            assertThat(crash.exitStatus().code()).isEqualTo(99);
            assertThat(crash.pid()).isIn(originalPids);
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (i != 250) {
                expected.add(i * 2);
            }
        }
        assertThat(values).hasSize(499).isEqualTo(expected);
        Await.until(DEADLINE, () -> "a restart and two workers: " + pool.stats() + " " + pool.workerPids(),
                () -> pool.stats().workerRestarts() >= 1 && pool.workerPids().size() == 2);
        assertThat(pool.stats().workerRestarts()).as("workers replaced: the halting task ran once").isEqualTo(1);
        assertThat(pool.apply(() -> "after")).isEqualTo("after");
    }

    @Test
    void applyAsync_workerSigkilledWhileBusy_crashWithSignal9AndPoolStillWorks() throws Exception {
        ProcessPool pool = track(ProcessPool.create(2));
        Path pidFile = dir.resolve("busy.pid");
        String pidPath = pidFile.toString();
        String marker = "about to be killed " + System.nanoTime();
        CompletableFuture<Object> busy = pool.applyAsync(() -> {
            System.err.println(marker);
            System.err.flush();
            announceAndSleep(pidPath, 60_000);
            return "never";
        });
        CompletableFuture<Integer> other = pool.applyAsync(() -> 7);
        long pid = awaitPid(pidFile);
        assertThat(pool.workerPids()).contains(pid);

        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Throwable failure = failureOf(busy, Duration.ofSeconds(2));
        long detectedMillis = (System.nanoTime() - killedAt) / 1_000_000;

        assertThat(failure).isInstanceOfSatisfying(ChildCrashedException.class, crash -> {
            assertThat(crash.exitStatus().signal()).hasValue(9);
            assertThat(crash.pid()).isEqualTo(pid);
            assertThat(crash.stderrTail()).as("stderr tail").contains(marker);
            assertThat(crash).hasMessageContaining(Long.toString(pid));
        });
        assertThat(detectedMillis).as("ms from SIGKILL to the failed future").isLessThan(2000);
        assertThat(other.get(30, SECONDS)).isEqualTo(7);
        assertThat(pool.apply(() -> "after")).isEqualTo("after");
        Await.until(DEADLINE, () -> "replacement in " + pool.stats() + " " + pool.workerPids(),
                () -> pool.stats().workerRestarts() >= 1 && pool.workerPids().size() == 2
                        && !pool.workerPids().contains(pid));
    }

    @Test
    void applyAsync_systemExitInTask_crashWithThatCode() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));

        CompletableFuture<Object> exits = pool.applyAsync(() -> {
            System.exit(3);
            return null;
        });

        assertThat(failureOf(exits, DEADLINE)).isInstanceOfSatisfying(ChildCrashedException.class,
                crash -> assertThat(crash.exitStatus().code()).isEqualTo(3));
        assertThat(pool.apply(() -> "after")).isEqualTo("after");
    }

    @Test
    void applyAsync_unboundedAllocationUnderXmx32m_failsAndPoolStillWorks() throws Exception {
        ProcessPool pool = track(ProcessPool.builder().workers(1).jvmOptions("-Xmx32m").build());
        SerializableCallable<Integer> hog = () -> {
            List<long[]> held = new ArrayList<>();
            while (true) {
                held.add(new long[1 << 17]);
            }
        };

        Throwable failure = failureOf(pool.applyAsync(hog), DEADLINE);

        if (failure instanceof ChildFailedException) {
            assertThat(failure.getCause()).as("cause of %s", failure).isInstanceOf(OutOfMemoryError.class);
        } else {
            assertThat(failure).isInstanceOf(ChildCrashedException.class);
        }
        assertThat(pool.applyAsync(() -> 1 + 1).get(30, SECONDS)).isEqualTo(2);
    }

    @Test
    void taskTimeout_stuckTask_timesOutWorkerReplacedPoolStillWorks() throws Exception {
        ProcessPool pool = track(ProcessPool.builder().workers(1).taskTimeout(Duration.ofMillis(500)).build());
        long oldPid = pool.workerPids().get(0);

        long start = System.nanoTime();
        CompletableFuture<Object> stuck = pool.applyAsync(() -> {
            Thread.sleep(60_000);
            return "never";
        });
        Throwable failure = failureOf(stuck, Duration.ofSeconds(5));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(failure).isInstanceOfSatisfying(TaskTimeoutException.class,
                timeout -> assertThat(timeout.timeout()).isEqualTo(Duration.ofMillis(500)));
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(500);
        assertThat(pool.apply(() -> Fork.pid())).isNotEqualTo(oldPid);
        Await.until(DEADLINE, () -> "restart in " + pool.stats(), () -> pool.stats().workerRestarts() >= 1);
        Await.until(DEADLINE, () -> "old worker gone: " + OsProcess.describe(oldPid),
                () -> !OsProcess.isRunning(oldPid));
    }

    @Test
    void taskTimeout_quickTasks_notAffected() {
        ProcessPool pool = track(ProcessPool.builder().workers(1).taskTimeout(Duration.ofMillis(500)).build());

        assertThat(pool.map(x -> x + 1, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 1))
                .containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(pool.apply(() -> {
            Thread.sleep(100);
            return "short enough";
        })).isEqualTo("short enough");
        assertThat(pool.stats().workerRestarts()).isZero();
    }

    @Test
    void cancel_runningTask_workerKilledAndReplacedNextTaskRuns() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));
        Path pidFile = dir.resolve("running.pid");
        String pidPath = pidFile.toString();
        CompletableFuture<Object> running = pool.applyAsync(() -> {
            announceAndSleep(pidPath, 60_000);
            return "never";
        });
        long pid = awaitPid(pidFile);

        assertThat(running.cancel(true)).isTrue();

        assertThat(running.isCancelled()).isTrue();
        assertThat(catchThrowable(running::join)).isInstanceOf(CancellationException.class);
        Await.until(DEADLINE, () -> "cancelled task's worker gone: " + OsProcess.describe(pid),
                () -> !OsProcess.isRunning(pid));
        long next = pool.applyAsync(() -> Fork.pid()).get(30, SECONDS);
        assertThat(next).isNotEqualTo(pid);
        Await.until(DEADLINE, () -> "restart in " + pool.stats(), () -> pool.stats().workerRestarts() >= 1);
        assertThat(pool.stats().cancelled()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void cancel_queuedTask_neverRuns() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));
        Path pidFile = dir.resolve("first.pid");
        Path release = dir.resolve("release");
        Path marker = dir.resolve("queued-task-ran");
        String pidPath = pidFile.toString();
        String releasePath = release.toString();
        String markerPath = marker.toString();
        CompletableFuture<Object> first = pool.applyAsync(() -> {
            announceAndSleep(pidPath, 0);
            PoolApplyTest.awaitFile(releasePath);
            return "first";
        });
        SerializableRunnable writeMarker = () -> Files.writeString(Path.of(markerPath), "ran");
        CompletableFuture<Void> queued = pool.applyAsync(writeMarker);
        awaitPid(pidFile);
        Await.until(DEADLINE, () -> "one running, one queued: " + pool.stats(),
                () -> pool.stats().running() == 1 && pool.stats().queued() == 1);

        assertThat(queued.cancel(false)).isTrue();
        Files.writeString(release, "go");

        assertThat(first.get(30, SECONDS)).isEqualTo("first");
        // tasks run in order on the single worker: once a later one has run, the cancelled one would have too
        assertThat(pool.applyAsync(() -> "later").get(30, SECONDS)).isEqualTo("later");
        assertThat(marker).doesNotExist();
        assertThat(queued.isCancelled()).isTrue();
        assertThat(pool.stats().cancelled()).isEqualTo(1);
        assertThat(pool.stats().workerRestarts()).isZero();
    }
}
