package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiproc.fixtures.PoolInitState;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.OsProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's life: shutdown, close, join, terminate, the initializer, recycled workers, the counters, and a pool left
 * to the garbage collector.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolLifecycleTest {
    private static final Duration DEADLINE = Await.CHILD_DEADLINE;

    @TempDir
    Path dir;

    private final List<ProcessPool> pools = new ArrayList<>();
    private final List<Long> workerPids = new ArrayList<>();

    @AfterEach
    void terminatePools() throws InterruptedException {
        for (ProcessPool pool : pools) {
            workerPids.addAll(pool.workerPids());
            pool.terminate();
            pool.join(Duration.ofSeconds(10));
        }
        workerPids.forEach(OsProcess::killQuietly);
    }

    private ProcessPool track(ProcessPool pool) {
        pools.add(pool);
        workerPids.addAll(pool.workerPids());
        return pool;
    }

    private static void awaitGone(List<Long> pids, Duration within, String what) throws InterruptedException {
        Await.until(within, () -> what + " still running: " + pids.stream().filter(OsProcess::isRunning)
                        .map(OsProcess::describe).collect(Collectors.toList()),
                () -> pids.stream().noneMatch(OsProcess::isRunning));
    }

    private static String sleepThenReturn(String value, long millis) throws InterruptedException {
        Thread.sleep(millis); // the work
        return value;
    }

    @Test
    void terminate_runningAndQueuedTasks_allCancelledWorkersGone() throws Exception {
        ProcessPool pool = track(ProcessPool.create(2));
        List<Long> pids = pool.workerPids();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(pool.applyAsync(() -> sleepThenReturn("never", 60_000)));
        }
        Await.until(DEADLINE, () -> "two running, four queued: " + pool.stats(),
                () -> pool.stats().running() == 2 && pool.stats().queued() == 4);

        pool.terminate();

        assertThat(futures).allSatisfy(f -> {
            assertThat(f.isCancelled()).isTrue();
            assertThat(catchThrowable(f::join)).isInstanceOf(CancellationException.class);
        });
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.join(Duration.ofSeconds(10))).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        awaitGone(pids, Duration.ofSeconds(5), "workers of a terminated pool");
        assertThat(pool.stats().cancelled()).isEqualTo(6);
        assertThatThrownBy(() -> pool.applyAsync(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        pool.terminate(); // again: nothing happens
        pool.close(); // after terminate: returns
    }

    @Test
    void shutdown_tasksQueued_returnsAtOnceAndQueuedTasksStillRun() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));
        List<Long> pids = pool.workerPids();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String value = "v" + i;
            futures.add(pool.applyAsync(() -> sleepThenReturn(value, 300)));
        }

        pool.shutdown();

        assertThat(futures.get(2)).as("last task when shutdown() returned").isNotDone();
        assertThat(pool.isShutdown()).isTrue();
        assertThatThrownBy(() -> pool.applyAsync(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.join(DEADLINE)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(futures).extracting(CompletableFuture::join).containsExactly("v0", "v1", "v2");
        awaitGone(pids, Duration.ofSeconds(5), "workers after join()");
        pool.join(); // again, after termination: returns at once
    }

    @Test
    void close_tasksQueued_waitsForThemAndForWorkerExit() throws Exception {
        ProcessPool pool = track(ProcessPool.create(2));
        List<Long> pids = pool.workerPids();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(pool.applyAsync(() -> sleepThenReturn("done", 200)));
        }

        pool.close();

        assertThat(futures).allSatisfy(f -> assertThat(f.getNow("not done")).isEqualTo("done"));
        assertThat(pool.isTerminated()).isTrue();
        assertThat(pool.workerPids()).isEmpty();
        awaitGone(pids, Duration.ofSeconds(5), "workers after close()");
        pool.close(); // idempotent
        assertThat(pool.join(Duration.ZERO)).isTrue();
    }

    @Test
    void close_tryWithResources_poolTerminatedAndWorkersGone() throws Exception {
        List<Long> pids;
        ProcessPool closed;
        try (ProcessPool pool = ProcessPool.create(1)) {
            track(pool);
            pids = pool.workerPids();
            assertThat(pool.map(x -> x * x, List.of(1, 2, 3))).containsExactly(1, 4, 9);
            closed = pool;
        }

        assertThat(closed.isTerminated()).isTrue();
        awaitGone(pids, Duration.ofSeconds(5), "workers after try-with-resources");
    }

    @Test
    void submit_afterShutdown_rejectedByEveryForm() {
        ProcessPool pool = track(ProcessPool.create(1));
        pool.shutdown();
        pool.shutdown(); // idempotent

        assertThatThrownBy(() -> pool.apply(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.apply((Integer x) -> x, 1)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.applyAsync(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        SerializableRunnable nothing = () -> { };
        assertThatThrownBy(() -> pool.applyAsync(nothing)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.map((Integer x) -> x, List.of(1, 2)))
                .isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.map((Integer x) -> x, List.of(1, 2), 1))
                .isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.mapAsync((Integer x) -> x, List.of(1, 2)))
                .isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.starmap((Integer a, Integer b) -> a + b, List.of(Map.entry(1, 2))))
                .isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> pool.imap((Integer x) -> x, List.of(1, 2)).collect(Collectors.toList()))
                .isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void submit_afterClose_rejected() {
        ProcessPool pool = track(ProcessPool.create(1));
        pool.close();

        assertThatThrownBy(() -> pool.applyAsync(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void join_beforeShutdown_throwsIllegalState() {
        ProcessPool pool = track(ProcessPool.create(1));

        assertThatThrownBy(pool::join).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> pool.join(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
        assertThat(pool.apply(() -> "still running")).isEqualTo("still running");
    }

    @Test
    void join_timeoutWhileTaskRuns_falseThenTrue() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));
        CompletableFuture<String> task = pool.applyAsync(() -> sleepThenReturn("done", 1000));
        pool.shutdown();

        assertThat(pool.join(Duration.ofMillis(100))).isFalse();
        assertThat(pool.join(DEADLINE)).isTrue();
        assertThat(task.getNow("not done")).isEqualTo("done");
    }

    @Test
    void initializer_runsOncePerWorkerBeforeFirstTask() throws Exception {
        ProcessPool pool = track(ProcessPool.builder()
                .workers(2)
                .initializer(() -> PoolInitState.init("set by initializer in " + Fork.pid()))
                .build());

        List<String> seen = pool.map(x -> PoolInitState.runs + "|" + PoolInitState.value,
                IntStream.range(0, 20).boxed().collect(Collectors.toList()), 1);

        assertThat(seen).hasSize(20).allSatisfy(s -> assertThat(s).startsWith("1|set by initializer in "));
        assertThat(seen.stream().map(s -> Long.parseLong(s.substring(s.lastIndexOf(' ') + 1))).distinct())
                .isSubsetOf(pool.workerPids());
        assertThat(PoolInitState.runs).as("runs in this JVM").isZero();
    }

    @Test
    void initializer_throws_buildThrowsChildFailedWithItsException() {
        assertThatThrownBy(() -> ProcessPool.builder()
                .workers(2)
                .initializer(() -> {
                    throw new IllegalStateException("no config");
                })
                .build())
                .isInstanceOf(ChildFailedException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no config");
    }

    @Test
    void initializer_notSerializable_buildRefusesBeforeStarting() {
        Object lock = new Object();

        assertThatThrownBy(() -> ProcessPool.builder().workers(1).initializer(() -> lock.notifyAll()).build())
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void maxTasksPerWorker_two_tenTasksSeeAtLeastFiveWorkers() {
        ProcessPool pool = track(ProcessPool.builder().workers(2).maxTasksPerWorker(2).build());

        List<Long> pids = pool.map(x -> Fork.pid(), IntStream.range(0, 10).boxed().collect(Collectors.toList()), 1);

        assertThat(pids).hasSize(10);
        assertThat(pids.stream().distinct().count()).as("distinct workers in %s", pids).isGreaterThanOrEqualTo(5);
        assertThat(pids.stream().collect(Collectors.groupingBy(p -> p, Collectors.counting())).values())
                .as("tasks per worker in %s", pids).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        workerPids.addAll(pids);
    }

    @Test
    void maxTasksPerWorker_withInitializer_everyNewWorkerInitialized() {
        ProcessPool pool = track(ProcessPool.builder()
                .workers(1)
                .maxTasksPerWorker(1)
                .initializer(() -> PoolInitState.init("fresh"))
                .build());

        List<String> seen = pool.map(x -> PoolInitState.runs + " " + PoolInitState.value + " " + Fork.pid(),
                List.of(1, 2, 3), 1);

        assertThat(seen).allSatisfy(s -> assertThat(s).startsWith("1 fresh "));
        assertThat(seen).doesNotHaveDuplicates();
    }

    @Test
    void stats_mixOfOutcomes_countedPerTask() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));
        assertThat(pool.stats()).isEqualTo(new PoolStats(0, 0, 0, 0, 0, 0, 0));

        pool.apply(() -> 1);
        pool.apply(() -> 2);
        assertThat(catchThrowable(() -> pool.apply(() -> {
            throw new IllegalStateException("fails");
        }))).isInstanceOf(ChildFailedException.class);
        CompletableFuture<String> slow = pool.applyAsync(() -> sleepThenReturn("slow", 500));
        CompletableFuture<Integer> queued = pool.applyAsync(() -> 3);
        assertThat(queued.cancel(false)).isTrue();
        assertThat(slow.get(30, SECONDS)).isEqualTo("slow");

        Await.until(Duration.ofSeconds(5), () -> "counters settled: " + pool.stats(),
                () -> pool.stats().equals(new PoolStats(5, 3, 1, 1, 0, 0, 0)));
    }

    @Test
    void cleaner_poolUnreachable_workersEnd() throws Exception {
        List<Long> pids = startAndDropPool();
        workerPids.addAll(pids);
        assertThat(pids).hasSize(2).allSatisfy(pid -> assertThat(OsProcess.isRunning(pid)).isTrue());

        Await.until(Duration.ofSeconds(20), () -> "workers of an unreachable pool still running: "
                + pids.stream().map(OsProcess::describe).collect(Collectors.toList()), () -> {
                    System.gc();
                    return pids.stream().noneMatch(OsProcess::isRunning);
                });
    }

    /** Creates a pool, uses it, and lets go of it: nothing refers to it once this returns. */
    private static List<Long> startAndDropPool() {
        ProcessPool pool = ProcessPool.create(2);
        assertThat(pool.map(x -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
        return List.copyOf(pool.workerPids());
    }

    @Test
    void futureOfADroppedPool_stillHeld_taskCompletes() throws Exception {
        CompletableFuture<String> future = startSlowTaskAndDropPool(workerPids);

        for (int i = 0; i < 5; i++) {
            System.gc();
        }

        assertThat(future.get(30, SECONDS)).isEqualTo("done");
    }

    /** Starts a one-second task on a new pool and lets go of the pool; only the future refers to it. */
    private static CompletableFuture<String> startSlowTaskAndDropPool(List<Long> pids) {
        ProcessPool pool = ProcessPool.create(1);
        pids.addAll(pool.workerPids());
        return pool.applyAsync(() -> sleepThenReturn("done", 1000));
    }

    @Test
    void apply_interruptedWhileWaiting_cancellationAndInterruptFlagSet() throws Exception {
        ProcessPool pool = track(ProcessPool.create(1));
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> flag = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                pool.apply(() -> sleepThenReturn("never", 60_000));
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
            flag.complete(Thread.currentThread().isInterrupted());
        }, "pool-caller");
        caller.start();
        Await.until(DEADLINE, () -> "task running: " + pool.stats(), () -> pool.stats().running() == 1);

        caller.interrupt();

        assertThat(thrown.get(30, SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(flag.get(30, SECONDS)).isTrue();
        assertThat(pool.applyAsync(() -> "next").get(30, SECONDS)).isEqualTo("next");
    }
}
