package io.github.multiproc.internal.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.PoolStats;
import io.github.multiproc.internal.pool.TaskSink;
import io.github.multiproc.internal.task.Calls;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.task.TaskPayload;
import io.github.multiproc.internal.wire.FrameIO;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of a {@code ClusterPool}: a Hazelcast client (or the application's own instance), the {@link Scheduler}
 * that deals tasks to nodes, and the pool's life cycle.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class ClusterDriver implements TaskSink {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterDriver.class);
    private static final AtomicInteger NUMBERS = new AtomicInteger();
    /** The bytes of a task that captures nothing, by its class: the same every time (never changed once read). */
    private static final ClassValue<AtomicReference<byte[]>> STATELESS = new ClassValue<>() {
        @Override
        protected AtomicReference<byte[]> computeValue(Class<?> type) {
            return new AtomicReference<>();
        }
    };

    private final String name;
    private final HazelcastInstance hazelcast;
    private final boolean ownsInstance;
    private final Scheduler scheduler;
    private final UUID listener;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    private ClusterDriver(String name, HazelcastInstance hazelcast, boolean ownsInstance, Duration taskTimeout,
            int retries) {
        this.name = name != null ? name : "cluster-pool-" + NUMBERS.incrementAndGet();
        this.hazelcast = hazelcast;
        this.ownsInstance = ownsInstance;
        this.scheduler = new Scheduler(UUID.randomUUID().toString(), this.name, hazelcast,
                taskTimeout == null ? 0 : Math.max(1, taskTimeout.toMillis()), retries);
        this.listener = hazelcast.getCluster().addMembershipListener(scheduler);
        Thread t = new Thread(this::schedule, this.name + "-scheduler");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Connects a client to {@code members} and waits until a node is there.
     *
     * @throws MultiprocException if no node can be reached within {@code connectTimeout}
     */
    public static ClusterDriver connect(String clusterName, List<String> members, Duration taskTimeout, int retries,
            String name, Duration connectTimeout) {
        HazelcastSupport.require("ClusterPool");
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(HazelcastConfigs.client(clusterName, members,
                    connectTimeout));
        } catch (RuntimeException e) {
            throw new MultiprocException("cannot connect to cluster " + clusterName + " at " + members + " within "
                    + connectTimeout.toSeconds() + " s: " + e.getMessage()
                    + " (is a node running? java -cp ... io.github.multiproc.cluster.ClusterNode --cluster-name "
                    + clusterName + ")", e);
        }
        ClusterDriver driver = new ClusterDriver(name, client, true, taskTimeout, retries);
        driver.watchForTheApplicationsEnd(client.getName());
        try {
            if (!driver.scheduler.awaitNode(connectTimeout.toMillis())) {
                driver.terminate();
                throw new MultiprocException("no multiproc node in cluster " + clusterName + " at " + members
                        + " within " + connectTimeout.toSeconds() + " s (members that are not nodes take no tasks)");
            }
        } catch (InterruptedException e) {
            driver.terminate();
            Thread.currentThread().interrupt();
            throw new MultiprocException("interrupted while waiting for a node of cluster " + clusterName, e);
        }
        return driver;
    }

    /**
     * A Hazelcast client's threads are not daemons: an application whose main returned without closing its pool would
     * never exit. A daemon thread watches for the moment no thread of the application's is left but the client's own,
     * and terminates the pool then, as a local pool's workers end with the JVM.
     */
    private void watchForTheApplicationsEnd(String instanceName) {
        Thread watch = new Thread(() -> {
            try {
                while (!isTerminated()) {
                    Thread.sleep(250);
                    if (onlyClientThreadsLeft(instanceName)) {
                        LOG.info("{}: the application's threads have ended without closing it; terminating it", name);
                        terminate();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-exit-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static boolean onlyClientThreadsLeft(String instanceName) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isDaemon() && !t.getName().contains(instanceName)
                    && !t.getName().equals("DestroyJavaVM")) {
                return false;
            }
        }
        return true;
    }

    /** A driver on the application's own member or client, which it does not shut down. */
    public static ClusterDriver on(HazelcastInstance hazelcast, Duration taskTimeout, int retries, String name) {
        HazelcastSupport.require("ClusterPool");
        return new ClusterDriver(name, hazelcast, false, taskTimeout, retries);
    }

    private void schedule() {
        try {
            if (scheduler.run()) {
                release(); // drained after a shutdown; a terminate releases once the nodes have had its word
            }
        } catch (RuntimeException | Error e) {
            LOG.error("{}: scheduler failed", name, e);
            scheduler.stop();
            release();
        }
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            hazelcast.getCluster().removeMembershipListener(listener);
            if (ownsInstance) {
                hazelcast.shutdown();
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: {}", name, e.toString());
        } finally {
            scheduler.outcomes.shutdown();
            terminated.countDown();
        }
    }

    public String name() {
        return name;
    }

    @Override
    public <R> CompletableFuture<R> submit(TaskCall call, Object owner, boolean direct) {
        // a lambda task that captures nothing: always the same bytes, made once; one decoded copy serves a worker
        Object[] plain = call instanceof Calls.OfCallable || call instanceof Calls.OfRunnable ? Calls.plainForm(call)
                : null;
        boolean reusable = plain != null;
        byte[] bytes = reusable ? STATELESS.get((Class<?>) plain[1]).get() : null;
        if (bytes == null) {
            try {
                bytes = FrameIO.serializeStandalone(call);
            } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
                TaskPayload.check(call, call, "task"); // names what cannot be serialized
                throw TaskPayload.notSerializable("task", call, e);
            }
            if (reusable) {
                STATELESS.get((Class<?>) plain[1]).set(bytes);
            }
        }
        Part p = new Part(bytes, reusable, call, scheduler, owner);
        scheduler.enqueue(p);
        scheduler.outcomes.submitted.increment();
        @SuppressWarnings("unchecked")
        CompletableFuture<R> f = (CompletableFuture<R>) (CompletableFuture<?>) p.future;
        return f;
    }

    /** The worker slots of the nodes taking tasks now; at least 1. */
    @Override
    public int workers() {
        return Math.max(1, scheduler.workers());
    }

    /** The addresses of the nodes taking tasks now. */
    public List<String> nodes() {
        return scheduler.nodes();
    }

    public void shutdown() {
        scheduler.drain();
    }

    public void terminate() {
        scheduler.stop();
        release();
    }

    /** Waits until every task has been answered and the client released; null waits for good. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (timeout == null) {
            terminated.await();
            return true;
        }
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isShutdown() {
        return scheduler.isDraining();
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    public PoolStats stats() {
        int[] load = scheduler.load();
        Outcomes o = scheduler.outcomes;
        return new PoolStats(o.submitted.sum(), o.completed.sum(), o.failed.sum(), o.cancelled.sum(), 0, load[0],
                load[1]);
    }

    @Override
    public String toString() {
        int[] load = scheduler.load();
        return name + ": " + nodes().size() + " nodes, " + load[0] + " queued, " + load[1] + " running, "
                + scheduler.outcomes.submitted.sum() + " tasks submitted in " + scheduler.batchesSent() + " calls";
    }
}
