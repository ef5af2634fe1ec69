package io.github.multiproc.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.ClusterNodes;
import io.github.multiproc.testing.FixtureJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that join, die and leave under a running pool, on a cluster of this class's own (the shared one stays whole):
 * each case leaves the cluster larger or smaller, so they run in order. The join comes first, while the cluster is
 * settled: a node that joined right after another was killed was, in about one full run in three, not seen by the
 * driver within a minute (it had printed its ready line; not explained yet, see issue 11's note).
 */
@Timeout(value = 180, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {
    /** What the API promises for a lost node on a local network is about 10 s; this is the test's bound. */
    private static final Duration LOSS_DETECTED = Duration.ofSeconds(20);
    private static ClusterNodes nodes;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        nodes = ClusterNodes.start(3, 1);
    }

    @AfterAll
    static void stopCluster() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static ClusterPool pool(int retries) {
        return ClusterPool.builder().clusterName(nodes.clusterName()).members(nodes.addresses().get(0))
                .retryOnNodeLoss(retries).build();
    }

    /** Tasks that each report their node JVM's pid, after {@code millis}. */
    private static List<CompletableFuture<Long>> tasks(ClusterPool pool, int n, long millis) {
        List<CompletableFuture<Long>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.applyAsync(() -> {
                Thread.sleep(millis);
                return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            }));
        }
        return fs;
    }

    @Test
    @Order(2)
    void aNodeKilledMidRun_failsOnlyWhatItHeld_withNodeLostException_andItsWorkersEnd() throws Exception {
        try (ClusterPool pool = pool(0)) {
            Await.until(Duration.ofSeconds(30), () -> "nodes " + pool.nodes(), () -> pool.nodes().size() == 4);
            FixtureJvm victim = nodes.jvm(2);
            String address = nodes.addresses().get(2);
            Set<Long> victimWorkers = ProcessHandle.of(victim.pid()).orElseThrow().children()
                    .map(ProcessHandle::pid).collect(Collectors.toSet());
            assertThat(victimWorkers).as("the node's worker JVMs").isNotEmpty();
            List<CompletableFuture<Long>> fs = tasks(pool, 30, 400);
            Await.until(Duration.ofSeconds(60), () -> "no task done", () -> fs.stream().anyMatch(f -> f.isDone()));
            long killed = System.nanoTime();
            victim.killForcibly();
            int lost = 0;
            for (CompletableFuture<Long> f : fs) {
                try {
                    f.get(60, SECONDS); // ran on a node that stayed, or on the victim before it was killed
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(NodeLostException.class)
                            .hasMessageContaining(address);
                    assertThat(((NodeLostException) e.getCause()).node()).isEqualTo(address);
                    lost++;
                }
            }
            Duration detected = Duration.ofNanos(System.nanoTime() - killed);
            System.out.println("node loss detected and its tasks failed within " + detected.toMillis() + " ms");
            assertThat(lost).as("tasks the killed node held").isPositive();
            assertThat(detected).isLessThan(LOSS_DETECTED);
            Await.until(LOSS_DETECTED, () -> "nodes " + pool.nodes(), () -> !pool.nodes().contains(address));
            Await.until(Duration.ofSeconds(10), () -> "workers of the killed node alive: " + victimWorkers,
                    () -> victimWorkers.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive)
                            .orElse(false)));
            assertThat(pool.apply(() -> 1)).isEqualTo(1);
        }
    }

    @Test
    @Order(1)
    void aNodeJoiningMidRun_takesTasksAtOnce() throws Exception {
        try (ClusterPool pool = pool(0)) {
            List<CompletableFuture<Long>> first = tasks(pool, 20, 300);
            String added = nodes.add(1);
            Await.until(Duration.ofSeconds(60), () -> "nodes " + pool.nodes() + ", the new one: " + nodes.jvm(3),
                    () -> pool.nodes().contains(added));
            long addedPid = nodes.jvm(3).pid();
            List<CompletableFuture<Long>> second = tasks(pool, 30, 100);
            Set<Long> ranOn = new java.util.HashSet<>();
            for (CompletableFuture<Long> f : first) {
                ranOn.add(f.get(60, SECONDS));
            }
            for (CompletableFuture<Long> f : second) {
                ranOn.add(f.get(60, SECONDS));
            }
            assertThat(ranOn).as("node pids that ran tasks").contains(addedPid);
        }
    }

    @Test
    @Order(3)
    void retryOnNodeLoss_runsALostNodesTasksElsewhere() throws Exception {
        try (ClusterPool pool = pool(2)) {
            Await.until(Duration.ofSeconds(30), () -> "nodes " + pool.nodes(), () -> pool.nodes().size() == 3);
            FixtureJvm victim = nodes.jvm(3); // the one that joined
            List<CompletableFuture<Long>> fs = tasks(pool, 30, 400);
            Await.until(Duration.ofSeconds(60), () -> "no task done", () -> fs.stream().anyMatch(f -> f.isDone()));
            victim.killForcibly();
            for (CompletableFuture<Long> f : fs) {
                assertThat(f.get(90, SECONDS)).isPositive(); // none lost: what the victim held ran again elsewhere
            }
        }
    }

    @Test
    @Order(4)
    void terminate_endsTheTasksOnTheNodes_withinASecond() throws Exception {
        Path beat = dir.resolve("beat");
        String file = beat.toString();
        ClusterPool pool = pool(0);
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fs.add(pool.applyAsync(() -> {
                for (int j = 0; j < 6000; j++) {
                    java.nio.file.Files.writeString(Path.of(file), Long.toString(System.nanoTime()));
                    Thread.sleep(10);
                }
            }));
        }
        Await.until(Duration.ofSeconds(60), () -> "no task started", () -> Files.exists(beat));
        pool.terminate();
        assertThat(pool.isTerminated()).isTrue();
        for (CompletableFuture<Void> f : fs) {
            assertThatThrownBy(() -> f.get(10, SECONDS)).isInstanceOf(CancellationException.class);
        }
        Thread.sleep(1000); // the promise is about this second: no beat after it
        String last = Files.readString(beat);
        Thread.sleep(500); // and a half-second window to see a beat that should not come
        assertThat(Files.readString(beat)).as("a task still writes after terminate").isEqualTo(last);
        assertThatThrownBy(() -> pool.apply(() -> 1))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    @Test
    @Order(5)
    void sigterm_theNodeFinishesWhatItRuns_leaves_andExitsWithZero() throws Exception {
        try (ClusterPool pool = pool(0)) {
            Await.until(Duration.ofSeconds(30), () -> "nodes " + pool.nodes(), () -> pool.nodes().size() == 2);
            FixtureJvm leaving = nodes.jvm(1);
            Path started = Files.createDirectories(dir.resolve("started"));
            String startedDir = started.toString();
            List<CompletableFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.applyAsync(() -> {
                    long node = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                    Files.createFile(Path.of(startedDir, node + "-" + System.nanoTime()));
                    Thread.sleep(1500);
                    return node;
                }));
            }
            String prefix = leaving.pid() + "-";
            Await.until(Duration.ofSeconds(30), () -> "no task started on the node to stop",
                    () -> anyStartsWith(started, prefix));
            long t0 = System.nanoTime();
            leaving.terminate();
            assertThat(leaving.awaitExit(Duration.ofSeconds(30))).as(leaving.toString()).isZero();
            System.out.println("node left " + (System.nanoTime() - t0) / 1_000_000 + " ms after SIGTERM");
            List<Long> ranOn = new ArrayList<>();
            for (CompletableFuture<Long> f : fs) {
                ranOn.add(f.get(60, SECONDS)); // none lost: what it ran finished, the rest went on
            }
            assertThat(ranOn).as("the task it was running when told to leave finished").contains(leaving.pid());
            Await.until(Duration.ofSeconds(30), () -> "nodes " + pool.nodes(),
                    () -> !pool.nodes().contains(nodes.addresses().get(1)));
        }
    }

    private static boolean anyStartsWith(Path dir, String prefix) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(prefix));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(6)
    void close_drainsEveryQueuedTask() throws Exception {
        ClusterPool pool = pool(0);
        List<CompletableFuture<Long>> fs = tasks(pool, 40, 20);
        pool.close();
        assertThat(pool.isTerminated()).isTrue();
        for (CompletableFuture<Long> f : fs) {
            assertThat(f).isCompleted();
        }
        assertThat(pool.stats().completed()).isEqualTo(40);
    }
}
