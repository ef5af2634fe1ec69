package io.github.multiproc.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import io.github.multiproc.Pool;
import io.github.multiproc.ProcessPool;
import io.github.multiproc.cluster.ClusterPool;
import io.github.multiproc.testing.ClusterNodes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The cluster's benchmark ({@code bench/cluster.sh}): a cluster of three node JVMs on loopback (one worker each) and
 * one of a single node, started side by side; then, in one run, trivial tasks through the {@link ClusterPool}, a local
 * {@code ProcessPool(3)} and raw Hazelcast {@code IExecutorService.submit}; a chunk-size sweep of {@code map}; and 90
 * tasks of a 100 ms sleep on one node and on three. Prints {@code metric<TAB>value<TAB>unit<TAB>note} lines.
 */
public final class ClusterBench {
    /**
     * The fewest rounds of trivial tasks each pool runs before it is measured ({@code -Dbench.warmRounds}); more until
     * the cluster's last three are within 15% of each other.
     */
    private static final int WARM_ROUNDS = Integer.getInteger("bench.warmRounds", 10);
    /** The most warm-up rounds: a machine too noisy to settle is measured after these. */
    private static final int MAX_WARM_ROUNDS = 29;
    /** Rounds measured, alternating; the table takes their medians ({@code -Dbench.rounds}). */
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);

    private ClusterBench() {
    }

    /** A trivial task for raw Hazelcast: what a user would submit without this library. */
    static final class One implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return 1;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        ClusterNodes three = null;
        ClusterNodes one = null;
        try {
            CompletableFuture<ClusterNodes> startOne = CompletableFuture.supplyAsync(() -> {
                try {
                    return ClusterNodes.start(1, 1, List.of());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            three = ClusterNodes.start(3, 1, List.of());
            one = startOne.join();
            try (ClusterPool cluster = pool(three); ProcessPool local = ProcessPool.create(3)) {
                // the same warm-up for each party: the driver's and the nodes' JIT take some 150,000 tasks to settle (in
                // a probe, rounds of 20,000 rose from 16,000 to 60,000 tasks/s over twelve); the first round is
                // reported too
                Workloads.emit("cluster(3x1) applyAsync, first round", throughput(cluster, n), "tasks/s", "N=" + n);
                Workloads.emit("local ProcessPool(3) applyAsync, first round", throughput(local, n), "tasks/s",
                        "N=" + n);
                List<Double> warming = new ArrayList<>();
                while (warming.size() < MAX_WARM_ROUNDS && !settled(warming)) {
                    warming.add(throughput(cluster, n));
                    throughput(local, n);
                }
                Workloads.emit("warm-up rounds", warming.size() + 1, "rounds", "until three cluster rounds within "
                        + "15% (at least " + WARM_ROUNDS + ", at most " + (MAX_WARM_ROUNDS + 1) + ")");
                raw(three, n / 4, false);
                for (int round = 0; round < ROUNDS; round++) {
                    Workloads.emit("cluster(3x1) applyAsync", throughput(cluster, n), "tasks/s", "N=" + n);
                    System.err.println(cluster);
                    Workloads.emit("local ProcessPool(3) applyAsync", throughput(local, n), "tasks/s", "N=" + n);
                    Workloads.emit("raw IExecutorService.submit (3 members)", raw(three, n / 4, true), "tasks/s",
                            "N=" + n / 4 + ", one future each");
                    Workloads.emit("cluster(3x1) apply p50", latency(cluster, 500), "us", "blocking, N=500");
                    Workloads.emit("local ProcessPool(3) apply p50", latency(local, 500), "us", "blocking, N=500");
                }
                List<Integer> items = IntStream.range(0, 100_000).boxed().collect(Collectors.toList());
                for (int chunk : new int[] {10, 100, 1000, 0}) {
                    long t0 = System.nanoTime();
                    List<Integer> out = chunk == 0 ? cluster.map(x -> x + 1, items) : cluster.map(x -> x + 1, items,
                            chunk);
                    double rate = items.size() / ((System.nanoTime() - t0) / 1e9);
                    check(out);
                    Workloads.emit("cluster(3x1) map chunk " + (chunk == 0 ? "default" : chunk), rate, "items/s",
                            "100,000 items");
                }
            }
            try (ClusterPool on3 = pool(three); ClusterPool on1 = pool(one)) {
                double t1 = sleeps(on1);
                double t3 = sleeps(on3);
                Workloads.emit("90 x sleep(100 ms), 1 node x 1 worker", t1, "s", "");
                Workloads.emit("90 x sleep(100 ms), 3 nodes x 1 worker", t3, "s", "");
                Workloads.emit("scale-out 1 -> 3 nodes", t1 / t3, "x", "");
            }
        } finally {
            if (three != null) {
                three.close();
            }
            if (one != null) {
                one.close();
            }
        }
    }

    private static ClusterPool pool(ClusterNodes nodes) {
        return ClusterPool.builder().clusterName(nodes.clusterName()).members(nodes.addresses().get(0)).build();
    }

    /** Whether the warm-up is done: enough rounds, and the last three within 15% of each other. */
    private static boolean settled(List<Double> rounds) {
        if (rounds.size() + 1 < WARM_ROUNDS || rounds.size() < 3) {
            return false;
        }
        List<Double> last = rounds.subList(rounds.size() - 3, rounds.size());
        return Collections.max(last) <= 1.15 * Collections.min(last);
    }

    private static double throughput(Pool pool, int n) {
        long t0 = System.nanoTime();
        List<CompletableFuture<Integer>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fs.add(pool.applyAsync(() -> 1));
        }
        int sum = 0;
        for (CompletableFuture<Integer> f : fs) {
            sum += f.join();
        }
        if (sum != n) {
            throw new IllegalStateException("sum " + sum);
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double latency(Pool pool, int n) {
        long[] us = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            pool.apply(() -> 1);
            us[i] = (System.nanoTime() - t0) / 1000;
        }
        Arrays.sort(us);
        return us[n / 2];
    }

    private static double raw(ClusterNodes nodes, int n, boolean report) throws Exception {
        ClientConfig config = new ClientConfig();
        config.setClusterName(nodes.clusterName());
        config.getNetworkConfig().addAddress(nodes.addresses().toArray(new String[0]));
        config.setProperty("hazelcast.logging.type", "slf4j");
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            IExecutorService executor = client.getExecutorService("bench-raw");
            List<Member> members = new ArrayList<>(client.getCluster().getMembers());
            for (int i = 0; i < 500; i++) {
                executor.submitToMember(new One(), members.get(i % members.size())).get();
            }
            long[] us = new long[500];
            for (int i = 0; i < us.length; i++) {
                long t = System.nanoTime();
                executor.submitToMember(new One(), members.get(i % members.size())).get();
                us[i] = (System.nanoTime() - t) / 1000;
            }
            Arrays.sort(us);
            if (report) {
                Workloads.emit("raw submitToMember p50", us[us.length / 2], "us", "blocking, N=500");
            }
            long t0 = System.nanoTime();
            List<Future<Integer>> fs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                fs.add(executor.submit(new One()));
            }
            for (Future<Integer> f : fs) {
                f.get();
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            client.shutdown();
        }
    }

    private static void check(List<Integer> out) {
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) != i + 1) {
                throw new IllegalStateException("item " + i + ": " + out.get(i));
            }
        }
    }

    private static double sleeps(ClusterPool pool) {
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            fs.add(pool.applyAsync(() -> Thread.sleep(100)));
        }
        fs.forEach(CompletableFuture::join);
        return (System.nanoTime() - t0) / 1e9;
    }
}
