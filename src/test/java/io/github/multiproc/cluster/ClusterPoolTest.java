package io.github.multiproc.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.ChildCrashedException;
import io.github.multiproc.ChildFailedException;
import io.github.multiproc.Fork;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.NotSerializableTaskException;
import io.github.multiproc.SerializableCallable;
import io.github.multiproc.TaskTimeoutException;
import io.github.multiproc.testing.ClusterNodes;
import io.github.multiproc.testing.HiddenClasses;
import java.nio.file.Path;
import java.util.Map;
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
import org.junit.jupiter.api.io.TempDir;

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
        // tasks of other tests still held by a node (a cancelled one runs on) leave it no room for a while
        io.github.multiproc.testing.Await.until(Duration.ofSeconds(60), () -> "the shared pool idle: " + pool.stats(),
                () -> pool.stats().running() == 0 && pool.stats().queued() == 0);
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

    @Test
    void aTaskWhoseClassNoNodeHas_failsAlone_namingTheClassAndTheNode(@TempDir Path dir) throws Exception {
        @SuppressWarnings("unchecked")
        SerializableCallable<String> hidden = (SerializableCallable<String>) HiddenClasses.compileAndLoad(dir,
                "gen.ClusterHidden", "package gen;\n"
                + "public class ClusterHidden implements io.github.multiproc.SerializableCallable<String> {\n"
                + "    private static final long serialVersionUID = 1L;\n"
                + "    public String call() { return \"hidden\"; }\n"
                + "}\n").getConstructor().newInstance();
        assertThatThrownBy(() -> pool.apply(hidden)).isInstanceOf(MultiprocException.class)
                .hasMessageContaining("gen.ClusterHidden").hasMessageContaining("node 127.0.0.1:");
        assertThat(pool.apply(() -> 3)).isEqualTo(3);
    }

    @Test
    void imap_inOrder_andUnordered_allItems() {
        List<Integer> items = IntStream.range(0, 200).boxed().collect(Collectors.toList());
        assertThat(pool.imap((Integer x) -> x * 3, items).collect(Collectors.toList()))
                .isEqualTo(items.stream().map(x -> x * 3).collect(Collectors.toList()));
        assertThat(pool.imapUnordered((Integer x) -> x * 3, items).collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(items.stream().map(x -> x * 3).collect(Collectors.toList()));
        assertThat(pool.starmap((Integer a, Integer b) -> a + b, List.of(Map.entry(1, 2), Map.entry(3, 4))))
                .containsExactly(3, 7);
        assertThat(pool.mapAsync((Integer x) -> -x, List.of(1, 2)).join()).containsExactly(-1, -2);
    }

    @Test
    void aTaskThatCannotBeSerialized_isRefusedBeforeItLeaves() {
        Object lock = new Object();
        assertThatThrownBy(() -> pool.applyAsync(() -> lock.hashCode()))
                .isInstanceOf(NotSerializableTaskException.class).hasMessageContaining("java.lang.Object");
    }

    @Test
    void cancel_ofAQueuedTask_takesItBack(@TempDir Path dir) throws Exception {
        // more tasks than the three nodes may hold (256 per worker while their tasks are short, 2 once they are
        // long), each waiting for a file: the last one stays in the driver's queue
        String release = dir.resolve("release").toString();
        List<CompletableFuture<Integer>> busy = IntStream.range(0, 3 * 256 + 40).mapToObj(i -> pool.applyAsync(() -> {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!new java.io.File(release).exists() && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling with a deadline, in the task
            }
            return i;
        })).collect(Collectors.toList());
        CompletableFuture<Integer> queued = pool.applyAsync(() -> 99);
        assertThat(queued.cancel(false)).isTrue();
        assertThat(queued).isCancelled();
        java.nio.file.Files.createFile(Path.of(release));
        for (int i = 0; i < busy.size(); i++) {
            assertThat(busy.get(i).get(60, SECONDS)).isEqualTo(i);
        }
    }

    @Test
    void on_theApplicationsOwnClient_dealsTasks_andLeavesTheClientRunning() throws Exception {
        com.hazelcast.client.config.ClientConfig config = new com.hazelcast.client.config.ClientConfig();
        config.setClusterName(nodes.clusterName());
        config.getNetworkConfig().addAddress(nodes.addresses().get(2));
        com.hazelcast.core.HazelcastInstance client = com.hazelcast.client.HazelcastClient.newHazelcastClient(config);
        try {
            ClusterPool own = ClusterPool.on(client);
            io.github.multiproc.testing.Await.until(Duration.ofSeconds(30), () -> "nodes " + own.nodes(),
                    () -> own.nodes().size() == 3);
            assertThat(own.map((Integer x) -> x + 1, List.of(1, 2, 3))).containsExactly(2, 3, 4);
            own.close();
            assertThat(own.isTerminated()).isTrue();
            assertThat(client.getLifecycleService().isRunning()).as("the application's client").isTrue();
        } finally {
            client.shutdown();
        }
    }

    @Test
    void builder_refusesBadSettings() {
        assertThatThrownBy(() -> ClusterPool.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("clusterName");
        assertThatThrownBy(() -> ClusterPool.builder().clusterName("x").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("members");
        assertThatThrownBy(() -> ClusterPool.builder().members("nohost")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> ClusterPool.builder().members("h:0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterPool.builder().clusterName("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterPool.builder().retryOnNodeLoss(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterPool.builder().taskTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterNode.builder().workers(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterNode.builder().port(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterNode.builder().start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("clusterName");
        assertThatThrownBy(() -> pool.map(x -> x, List.of(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void build_withNoNodeThere_failsAfterTheConnectTimeout_withAClearMessage() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> ClusterPool.builder().clusterName("nobody-" + ProcessHandle.current().pid())
                .members("127.0.0.1:" + freePort()).connectTimeout(Duration.ofSeconds(3)).build())
                .isInstanceOf(MultiprocException.class).hasMessageContaining("cannot connect to cluster nobody-")
                .hasMessageContaining("ClusterNode");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
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
