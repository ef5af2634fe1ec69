package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.OsProcess;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcessPool#apply} and {@link ProcessPool#applyAsync} on one pool of four workers: values, parallelism,
 * exceptions, serialization failures, and the thread that completes the futures.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolApplyTest {
    private static final int WORKERS = 4;
    private static final String NAME = "apply-test";

    private static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(WORKERS).name(NAME).build();
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        if (pool != null) {
            pool.terminate();
            assertThat(pool.join(Duration.ofSeconds(10))).as("terminated %s", pool).isTrue();
        }
    }

    /** When a task ran, and where; instants come from the one system clock all JVMs on this machine share. */
    record Span(long pid, Instant start, Instant end) implements Serializable {
        boolean overlaps(Span other) {
            return start.isBefore(other.end) && other.start.isBefore(end);
        }
    }

    private static Span sleepFor(long millis) throws InterruptedException {
        Instant start = Instant.now();
        Thread.sleep(millis); // the work itself
        return new Span(Fork.pid(), start, Instant.now());
    }

    @Test
    void create_fourWorkers_allReadyWithDistinctLivePids() {
        List<Long> pids = pool.workerPids();

        assertThat(pool.workers()).isEqualTo(WORKERS);
        assertThat(pids).hasSize(WORKERS).doesNotHaveDuplicates().doesNotContain(Fork.pid());
        assertThat(pids).allSatisfy(pid -> assertThat(OsProcess.isRunning(pid)).as("worker %d runs", pid).isTrue());
        assertThat(pool.name()).isEqualTo(NAME);
        assertThat(pool.isShutdown()).isFalse();
        assertThat(pool.isTerminated()).isFalse();
    }

    @Test
    void applyAsync_tenTasksOf300msOnFourWorkers_runFourAtATime() throws Exception {
        List<CompletableFuture<Span>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(pool.applyAsync(() -> sleepFor(300)));
        }
        List<Span> spans = new ArrayList<>();
        for (CompletableFuture<Span> f : futures) {
            spans.add(f.get(30, SECONDS));
        }

        assertThat(maxConcurrency(spans)).as("most tasks running at once: %s", spans).isEqualTo(WORKERS);
        assertThat(spans).extracting(Span::pid).isSubsetOf(pool.workerPids());
        assertThat(spans.stream().map(Span::pid).distinct().count()).isEqualTo(WORKERS);
        // each worker runs one task at a time, so one of them ran at least three of the ten
        Instant first = spans.stream().map(Span::start).min(Instant::compareTo).orElseThrow();
        Instant last = spans.stream().map(Span::end).max(Instant::compareTo).orElseThrow();
        assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void apply_sixCallsInARow_neverOverlap() {
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            spans.add(pool.apply(() -> sleepFor(50)));
        }

        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i).start()).as("start of call %d after the end of call %d: %s", i, i - 1, spans)
                    .isAfterOrEqualTo(spans.get(i - 1).end());
        }
        assertThat(maxConcurrency(spans)).isEqualTo(1);
    }

    private static int maxConcurrency(List<Span> spans) {
        int max = 0;
        for (Span s : spans) {
            // at the instant s starts, every span that started no later and has not ended runs with it
            int running = (int) spans.stream()
                    .filter(o -> !o.start().isAfter(s.start()) && o.end().isAfter(s.start()))
                    .count();
            max = Math.max(max, running);
        }
        return max;
    }

    @Test
    void apply_callable_returnsValueComputedInAWorker() {
        long pid = pool.apply(Fork::pid);

        assertThat(pid).isNotEqualTo(Fork.pid()).isIn(pool.workerPids());
        assertThat(pool.apply(() -> 6 * 7)).isEqualTo(42);
        assertThat(pool.<List<String>>apply(() -> List.of("a", "b"))).containsExactly("a", "b");
        assertThat(pool.<Object>apply(() -> null)).isNull();
    }

    @Test
    void apply_functionAndArgument_returnsFunctionOfArgument() {
        assertThat(pool.apply((String s) -> s.toUpperCase() + s.length(), "worker")).isEqualTo("WORKER6");
        assertThat(pool.apply((Integer x) -> x + 1, 41)).isEqualTo(42);
    }

    @Test
    void apply_runnable_returnsOnceItHasRun(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        String markerPath = marker.toString();
        SerializableRunnable write = () -> Files.writeString(Path.of(markerPath), Long.toString(Fork.pid()));

        pool.apply(write);

        assertThat(Long.parseLong(Files.readString(marker))).isIn(pool.workerPids());
    }

    @Test
    void applyAsync_callableFunctionRunnable_futuresComplete(@TempDir Path dir) throws Exception {
        String marker = dir.resolve("ran").toString();

        CompletableFuture<Long> callable = pool.applyAsync(() -> Fork.pid());
        CompletableFuture<Integer> function = pool.applyAsync((Integer x) -> x * 3, 14);
        SerializableRunnable write = () -> Files.writeString(Path.of(marker), "ran");
        CompletableFuture<Void> runnable = pool.applyAsync(write);

        assertThat(callable.get(30, SECONDS)).isIn(pool.workerPids());
        assertThat(function.get(30, SECONDS)).isEqualTo(42);
        assertThat(runnable.get(30, SECONDS)).isNull();
        assertThat(Files.readString(Path.of(marker))).isEqualTo("ran");
    }

    @Test
    void applyAsync_dependentAction_runsOnResultsThread(@TempDir Path dir) throws Exception {
        Path release = dir.resolve("release");
        String releasePath = release.toString();
        CompletableFuture<Integer> future = pool.applyAsync(() -> {
            awaitFile(releasePath);
            return 1;
        });
        CompletableFuture<String> thread = future.thenApply(v -> Thread.currentThread().getName());

        Files.writeString(release, "go"); // only now may the task finish: the action was added before completion

        assertThat(thread.get(30, SECONDS)).isEqualTo(NAME + "-results");
    }

    /** Used inside tasks: waits (bounded) until the test creates {@code path}. */
    static void awaitFile(String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(Path.of(path))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no " + path + " within 60 s");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void apply_taskThrows_childFailedWithOriginalExceptionAsCause() {
        assertThatThrownBy(() -> pool.apply(() -> {
            throw new IllegalArgumentException("bad input 7");
        }))
                .isInstanceOf(ChildFailedException.class)
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad input 7");
        assertThat(pool.apply(() -> "still works")).isEqualTo("still works");
    }

    @Test
    void applyAsync_taskThrowsChecked_futureFailsWithChildFailedCarryingIt() {
        CompletableFuture<Object> future = pool.applyAsync(() -> {
            throw new java.io.IOException("disk gone");
        });

        assertThatThrownBy(() -> future.get(30, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(ChildFailedException.class)
                .cause()
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("disk gone");
    }

    @Test
    void applyAsync_taskCapturesNonSerializable_refusedBySubmittingCall() {
        Object lock = new Object();
        long submittedBefore = pool.stats().submitted();

        assertThatThrownBy(() -> pool.applyAsync(() -> lock.hashCode()))
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> pool.apply((Object o) -> o.hashCode(), new Object()))
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("java.lang.Object");
        assertThat(pool.stats().submitted()).isEqualTo(submittedBefore);
    }

    @Test
    void apply_resultNotSerializable_childFailedNamingTheClass() {
        assertThatThrownBy(() -> pool.apply(() -> new Thread("not serializable")))
                .isInstanceOf(ChildFailedException.class)
                .hasMessageContaining("java.lang.Thread");
        assertThat(pool.apply(() -> 1 + 1)).isEqualTo(2);
    }

    @Test
    void applyAsync_manyShortTasks_allValuesInTheirFutures() throws Exception {
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(pool.applyAsync((Integer x) -> x * x, i));
        }

        List<Integer> values = new ArrayList<>();
        for (CompletableFuture<Integer> f : futures) {
            values.add(f.get(30, SECONDS));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(i * i);
        }
        assertThat(values).isEqualTo(expected);
        Set<Long> pids = pool.workerPids().stream().collect(Collectors.toSet());
        assertThat(pids).hasSize(WORKERS);
    }
}
