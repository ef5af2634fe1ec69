package io.github.multiproc.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.ChildCrashedException;
import io.github.multiproc.ChildFailedException;
import io.github.multiproc.Fork;
import io.github.multiproc.TaskTimeoutException;
import io.github.multiproc.testing.ClusterNodes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A {@link ClusterPool} on three node JVMs on loopback: every Pool promise, across machines. */
@Timeout(value = 180, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterPoolTest {
    private static ClusterNodes nodes;
    private static ClusterPool pool;

    @BeforeAll
    static void connect() throws Exception {
        nodes = ClusterNodes.shared();
        pool = ClusterPool.builder().clusterName(nodes.clusterName()).members(nodes.addresses().get(0))
                .name("test-driver").build();
    }

    @AfterAll
    static void disconnect() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void nodes_areTheThreeReadyAddresses() throws Exception {
        Await.nodes(pool, 3);
        assertThat(pool.nodes()).containsExactlyInAnyOrderElementsOf(nodes.addresses());
        assertThat(pool.workers()).isEqualTo(3);
    }

    @Test
    void apply_runsInAWorkerJvm_notInTheNode() {
        long pid = pool.apply(Fork::pid);
        assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
        long parent = pool.apply(() -> ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L));
        assertThat(parent).as("a worker's parent is a node JVM").isNotEqualTo(pid);
        assertThat(pool.apply((Integer x) -> x * 2, 21)).isEqualTo(42);
    }

    @Test
    void map_reachesAllThreeNodes_inOrder() throws Exception {
        Await.nodes(pool, 3);
        List<Integer> items = IntStream.range(0, 60).boxed().collect(Collectors.toList());
        List<String> results = pool.map(x -> {
            Thread.sleep(20);
            return x + "@" + ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        }, items, 1);
        assertThat(results).hasSize(60);
        for (int i = 0; i < 60; i++) {
            assertThat(results.get(i)).startsWith(i + "@");
        }
        Set<String> parents = results.stream().map(r -> r.substring(r.indexOf('@') + 1)).collect(Collectors.toSet());
        assertThat(parents).as("node JVMs that ran a chunk").hasSize(3);
    }

    @Test
    void applyAsync_manyTasks_allComplete() {
        List<CompletableFuture<Integer>> fs = IntStream.range(0, 500).mapToObj(i -> pool.applyAsync(() -> i))
                .collect(Collectors.toList());
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).join()).isEqualTo(i);
        }
    }

    @Test
    void aTasksException_comesBackAsChildFailedException_withItsOwnClass() {
        assertThatThrownBy(() -> pool.apply(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(ChildFailedException.class).hasMessageContaining("on node 127.0.0.1:")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void aTaskThatKillsItsWorker_failsAlone_withChildCrashedException() {
        assertThatThrownBy(() -> pool.apply(() -> {
            Runtime.getRuntime().halt(7);
            return 0;
        })).isInstanceOf(ChildCrashedException.class).hasMessageContaining("node 127.0.0.1:")
                .satisfies(e -> assertThat(((ChildCrashedException) e).exitStatus().code()).isEqualTo(7));
        assertThat(pool.apply(() -> 5)).isEqualTo(5);
    }

    @Test
    void taskTimeout_endsTheTask() {
        try (ClusterPool timed = ClusterPool.builder().clusterName(nodes.clusterName())
                .members(nodes.addresses().get(1)).taskTimeout(Duration.ofMillis(500)).build()) {
            assertThatThrownBy(() -> timed.apply(() -> {
                Thread.sleep(60_000);
                return 0;
            })).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("node 127.0.0.1:");
            assertThat(timed.apply(() -> 1)).isEqualTo(1);
        }
    }

    /** Polls with a deadline. */
    static final class Await {
        static void nodes(ClusterPool pool, int n) throws InterruptedException {
            io.github.multiproc.testing.Await.until(Duration.ofSeconds(30), () -> "nodes: " + pool.nodes(),
                    () -> pool.nodes().size() >= n);
        }
    }
}
