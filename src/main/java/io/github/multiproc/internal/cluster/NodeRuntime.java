package io.github.multiproc.internal.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.internal.pool.PoolConfig;
import io.github.multiproc.internal.pool.PoolEngine;
import io.github.multiproc.internal.task.EncodedCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node: a Hazelcast member and the local pool of worker JVMs that runs what drivers send it. Tasks arrive encoded
 * and go to the workers encoded ({@link EncodedCall}), so this JVM never loads a user's class.
 *
 * <p>Thread safety: safe for concurrent use; calls run on Hazelcast's executor threads.
 */
public final class NodeRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    /** The nodes of this JVM by Hazelcast instance name: a call may arrive before its node has registered. */
    private static final Map<String, CompletableFuture<NodeRuntime>> NODES = new ConcurrentHashMap<>();
    /** How long a node waits for the tasks it runs before it leaves anyway. */
    static final Duration LEAVE_WAIT = Duration.ofSeconds(20);

    private final PoolEngine engine;
    private final HazelcastInstance hazelcast;
    private final String address;
    /** The futures of the batches running here, by pool and batch, for {@link CancelCall}. */
    private final Map<String, Map<Long, List<CompletableFuture<Object>>>> running = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private int active; // guarded by lock
    private boolean leaving; // guarded by lock
    private boolean closed; // guarded by lock

    private NodeRuntime(PoolEngine engine, HazelcastInstance hazelcast) {
        this.engine = engine;
        this.hazelcast = hazelcast;
        this.address = addressOf(hazelcast.getCluster().getLocalMember().getAddress());
    }

    /** {@code host:port}, the one form of a node's address. */
    static String addressOf(Address a) {
        return a.getHost() + ":" + a.getPort();
    }

    /**
     * Starts the local pool (its workers ready), then the member, which joins the cluster.
     *
     * @throws MultiprocException if the workers or the member cannot be started (nothing is left running)
     */
    public static NodeRuntime start(NodeOptions o) {
        HazelcastSupport.require("ClusterNode");
        PoolEngine engine = PoolEngine.start(new PoolConfig(o.workers(), o.jvmOptions(), o.systemProperties(),
                o.initializer(), o.maxTasksPerWorker(), null, null, null, "node-" + o.clusterName()));
        Config config = HazelcastConfigs.member(o.clusterName(), o.host(), o.port(), o.members(), o.workers());
        CompletableFuture<NodeRuntime> registered = slot(config.getInstanceName());
        try {
            NodeRuntime node = new NodeRuntime(engine, Hazelcast.newHazelcastInstance(config));
            registered.complete(node);
            LOG.info("node {} of cluster {} ready with {} workers", node.address, o.clusterName(), o.workers());
            if (node.hazelcast.getCluster().getMembers().size() == 1
                    && o.members().stream().anyMatch(m -> !m.equals(node.address))) {
                LOG.info("node {} is alone for now, though it was given members {}: it merges with them "
                        + "once it reaches them", node.address, o.members());
            }
            return node;
        } catch (RuntimeException e) {
            NODES.remove(config.getInstanceName());
            engine.terminate();
            throw new MultiprocException("cannot start a node of cluster " + o.clusterName() + ": " + e, e);
        }
    }

    private static CompletableFuture<NodeRuntime> slot(String instanceName) {
        return NODES.computeIfAbsent(instanceName, n -> new CompletableFuture<>());
    }

    /** The node of a member of this JVM; waits for one that is still starting. */
    static NodeRuntime of(HazelcastInstance hazelcast) throws InterruptedException {
        try {
            return slot(hazelcast.getName()).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("member " + hazelcast.getName() + " is not a multiproc node", e);
        }
    }

    /** {@code host:port}. */
    public String address() {
        return address;
    }

    /** Its worker slots. */
    public int workers() {
        return engine.workers();
    }

    /** Runs a batch on the local workers and answers when all are done. */
    NodeReply run(String pool, long batch, BatchCodec.Tasks tasks, long timeoutMillis) throws InterruptedException {
        long arrived = System.nanoTime();
        synchronized (lock) {
            if (leaving) {
                return new NodeReply(address, List.of(), true, 0);
            }
            active++;
        }
        int[] index = tasks.index();
        List<CompletableFuture<Object>> futures = new ArrayList<>(index.length);
        Map<Long, List<CompletableFuture<Object>>> batches = running.computeIfAbsent(pool,
                p -> new ConcurrentHashMap<>());
        batches.put(batch, futures);
        try {
            Duration timeout = timeoutMillis > 0 ? Duration.ofMillis(timeoutMillis) : null;
            EncodedCall[] calls = new EncodedCall[tasks.distinct().size()];
            for (int i = 0; i < calls.length; i++) {
                calls[i] = new EncodedCall(tasks.distinct().get(i), tasks.reusable()[i]);
            }
            try {
                for (int i : index) {
                    synchronized (futures) {
                        futures.add(engine.submit(calls[i], this, true, timeout));
                    }
                }
            } catch (RejectedExecutionException e) {
                futures.forEach(f -> f.cancel(true));
                return new NodeReply(address, List.of(), true, 0); // the local pool is closing: the node is leaving
            }
            awaitAll(futures);
            List<PartResult> results = new ArrayList<>(index.length);
            for (CompletableFuture<Object> f : futures) {
                results.add(result(f));
            }
            return new NodeReply(address, results, false, System.nanoTime() - arrived);
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        } finally {
            batches.remove(batch);
            synchronized (lock) {
                active--;
                lock.notifyAll();
            }
        }
    }

    /** Waits until every task is done, waking once rather than once a task as waiting on each in turn would. */
    private static void awaitAll(List<CompletableFuture<Object>> futures) throws InterruptedException {
        try {
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get();
        } catch (ExecutionException | CancellationException e) {
            // a task that failed or was cancelled: its own future says so, once all are done
        }
    }

    private static PartResult result(CompletableFuture<Object> f) throws InterruptedException {
        try {
            return PartResult.answered(f.get());
        } catch (CancellationException e) {
            return PartResult.failed(new CancellationException("cancelled"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return PartResult.failed(cause instanceof RuntimeException ? (RuntimeException) cause
                    : new MultiprocException(String.valueOf(cause), cause));
        }
    }

    /** Cancels one task of a batch, or every task of a pool ({@code batch == ALL}); whether all were taken back. */
    boolean cancel(String pool, long batch, int part) {
        Map<Long, List<CompletableFuture<Object>>> batches = running.get(pool);
        if (batches == null) {
            return false;
        }
        boolean all = true;
        for (Map.Entry<Long, List<CompletableFuture<Object>>> e : batches.entrySet()) {
            if (batch != CancelCall.ALL && e.getKey() != batch) {
                continue;
            }
            List<CompletableFuture<Object>> futures;
            synchronized (e.getValue()) {
                futures = new ArrayList<>(e.getValue());
            }
            for (int i = 0; i < futures.size(); i++) {
                if (part < 0 || part == i) {
                    CompletableFuture<Object> f = futures.get(i);
                    all &= f.cancel(true) || f.isCancelled();
                }
            }
        }
        return all;
    }

    /**
     * Leaves gracefully: takes no new calls, lets the ones it runs finish (for up to {@link #LEAVE_WAIT}), leaves the
     * cluster, and ends its workers. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            leaving = true;
            long deadline = System.nanoTime() + LEAVE_WAIT.toNanos();
            try {
                while (active > 0 && deadline - System.nanoTime() > 0) {
                    lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            hazelcast.shutdown();
        } catch (RuntimeException e) {
            LOG.debug("node {}: leaving the cluster: {}", address, e.toString());
        } finally {
            NODES.remove(hazelcast.getName());
            engine.shutdown();
            try {
                if (!engine.awaitTermination(Duration.ofSeconds(5))) {
                    engine.terminate();
                }
            } catch (InterruptedException e) {
                engine.terminate();
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("node {} left", address);
    }
}
