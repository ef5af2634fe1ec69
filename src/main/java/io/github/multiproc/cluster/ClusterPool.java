package io.github.multiproc.cluster;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import io.github.multiproc.ChildCrashedException;
import io.github.multiproc.ChildFailedException;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.Pool;
import io.github.multiproc.PoolStats;
import io.github.multiproc.SerializableBiFunction;
import io.github.multiproc.SerializableCallable;
import io.github.multiproc.SerializableFunction;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.TaskTimeoutException;
import io.github.multiproc.internal.cluster.ClusterDriver;
import io.github.multiproc.internal.cluster.HazelcastSupport;
import io.github.multiproc.internal.pool.PoolFutures;
import io.github.multiproc.internal.pool.PoolMaps;
import io.github.multiproc.internal.task.Calls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The same {@link Pool} on a cluster: tasks and map chunks are dealt to the free worker slots of the
 * {@link ClusterNode}s of a Hazelcast cluster, and each runs in one of that node's worker JVMs.
 *
 * <pre>{@code
 * try (Pool pool = ClusterPool.builder().clusterName("jobs").members("10.0.0.5:5701").build()) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));       // [1, 4, 9]
 * }
 * }</pre>
 *
 * <p><b>Dealing.</b> Tasks wait in this JVM's queue and are sent, a batch per Hazelcast call, to the node with the
 * most room: its free worker slots plus as many sent ahead. A node that joins takes tasks at once; while there is no
 * node, tasks wait. {@code map} cuts its items into chunks as a local pool does (Python's size, over the slots of all
 * nodes), {@code imap} reads its items lazily, a window of twice the slots ahead; results come in order.
 *
 * <p><b>Failures</b> are a local pool's: a task's exception comes back as {@link ChildFailedException} with it as the
 * cause, a task that kills its worker JVM fails alone with {@link ChildCrashedException} (the node replaces the
 * worker), a task past the task timeout with {@link TaskTimeoutException}; each message names the node. A node that
 * dies or is cut off fails only the tasks it held, with {@link NodeLostException}, or has them dealt again (see
 * {@link Builder#retryOnNodeLoss(int)}), within about 10 s on a local network. A node that cannot load a task's class
 * fails that task with a {@link MultiprocException} naming the class and the node.
 *
 * <p><b>Futures</b> complete on the pool's {@code <name>-results} thread, never on a Hazelcast thread.
 * {@code cancel(false)} takes back a task still queued here; {@code cancel(true)} also one a node holds, and waits up
 * to two seconds for the node's word.
 *
 * <p><b>Lifecycle.</b> {@link #shutdown()} refuses new tasks; {@link #close()} also waits for every answer, then
 * disconnects; {@link #terminate()} tells the nodes to end this pool's tasks, waits briefly for that, and cancels
 * every unfinished one. The nodes stay up.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class ClusterPool implements Pool {
    private final ClusterDriver driver;

    private ClusterPool(ClusterDriver driver) {
        this.driver = driver;
    }

    /**
     * Returns a builder for a pool that connects to a cluster as a Hazelcast client.
     *
     * @return a new builder
     * @throws MultiprocException if Hazelcast is not on the class path (the message names the dependency)
     */
    public static Builder builder() {
        HazelcastSupport.require("ClusterPool");
        return new Builder();
    }

    /**
     * A pool that deals tasks through a Hazelcast member or client the application already has; the pool never shuts
     * it down. Returns at once: tasks wait until a node is there.
     *
     * @param hazelcast a running member or client of the nodes' cluster
     * @return the pool
     * @throws NullPointerException if {@code hazelcast} is null
     * @throws MultiprocException if Hazelcast is not on the class path
     */
    @SuppressWarnings("exports") // Hazelcast is for cluster users, who have it and read it themselves
    public static ClusterPool on(HazelcastInstance hazelcast) {
        requireNonNull(hazelcast, "hazelcast");
        return new ClusterPool(ClusterDriver.on(hazelcast, null, 0, null));
    }

    /**
     * Returns the addresses of the nodes taking tasks now.
     *
     * @return {@code host:port} of each, as in its {@code ready} line
     */
    public List<String> nodes() {
        return driver.nodes();
    }

    /**
     * Returns the pool's name: as set on the builder, else {@code "cluster-pool-<n>"}.
     *
     * @return the name
     */
    public String name() {
        return driver.name();
    }

    @Override
    public <R> R apply(SerializableCallable<R> task) {
        requireNonNull(task, "task");
        return PoolFutures.await(driver.submit(Calls.of(task), this, true));
    }

    @Override
    public void apply(SerializableRunnable task) {
        requireNonNull(task, "task");
        PoolFutures.await(driver.submit(Calls.of(task), this, true));
    }

    @Override
    public <T, R> R apply(SerializableFunction<T, R> fn, T arg) {
        requireNonNull(fn, "fn");
        return PoolFutures.await(driver.submit(new Calls.Apply(fn, arg), this, true));
    }

    @Override
    public <R> CompletableFuture<R> applyAsync(SerializableCallable<R> task) {
        requireNonNull(task, "task");
        return driver.submit(Calls.of(task), this, false);
    }

    @Override
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> fn, T arg) {
        requireNonNull(fn, "fn");
        return driver.submit(new Calls.Apply(fn, arg), this, false);
    }

    @Override
    public CompletableFuture<Void> applyAsync(SerializableRunnable task) {
        requireNonNull(task, "task");
        return driver.submit(Calls.of(task), this, false);
    }

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolFutures.await(mapAsync(fn, items));
    }

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
        return PoolFutures.await(PoolMaps.map(driver, this, fn, items, chunkSize));
    }

    @Override
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolMaps.map(driver, this, fn, items, 0);
    }

    @Override
    public <T, U, R> List<R> starmap(SerializableBiFunction<T, U, R> fn,
            Iterable<? extends Map.Entry<? extends T, ? extends U>> pairs) {
        return PoolFutures.await(PoolMaps.starmap(driver, this, fn, pairs));
    }

    @Override
    public <T, R> Stream<R> imap(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolMaps.lazy(driver, this, fn, items, true);
    }

    @Override
    public <T, R> Stream<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolMaps.lazy(driver, this, fn, items, false);
    }

    @Override
    public void shutdown() {
        driver.shutdown();
    }

    @Override
    public void close() {
        shutdown();
        try {
            driver.awaitTermination(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate();
            throw new CancellationException(driver.name() + ": interrupted while closing; terminated");
        }
    }

    @Override
    public void join() throws InterruptedException {
        requireShutdown();
        driver.awaitTermination(null);
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        requireShutdown();
        return driver.awaitTermination(timeout);
    }

    private void requireShutdown() {
        if (!driver.isShutdown()) {
            throw new IllegalStateException(driver.name() + " is still running: call shutdown(), close() or "
                    + "terminate() before join()");
        }
    }

    @Override
    public void terminate() {
        driver.terminate();
    }

    @Override
    public boolean isShutdown() {
        return driver.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return driver.isTerminated();
    }

    /**
     * Returns the worker slots of the nodes taking tasks now (at least 1, for chunk sizes, while there is none).
     *
     * @return the total of the nodes' workers
     */
    @Override
    public int workers() {
        return driver.workers();
    }

    /**
     * Returns the pool's counters. {@code workerRestarts} is always 0 here: workers are the nodes' business.
     *
     * @return a snapshot
     */
    @Override
    public PoolStats stats() {
        return driver.stats();
    }

    @Override
    public String toString() {
        return "ClusterPool[" + driver + "]";
    }

    /**
     * Configures a {@link ClusterPool}, then {@link #build()}s it; obtained from {@link ClusterPool#builder()}.
     *
     * <p>Thread safety: not thread-safe; configure it from one thread.
     */
    public static final class Builder {
        /** How long {@link #build()} waits for a node by default. */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

        private String clusterName;
        private final List<String> members = new ArrayList<>();
        private Duration taskTimeout;
        private int retryOnNodeLoss;
        private String name;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

        Builder() {
        }

        /**
         * Sets the cluster's name, as its nodes were given it (required).
         *
         * @param clusterName not empty
         * @return this builder
         * @throws NullPointerException if {@code clusterName} is null
         * @throws IllegalArgumentException if it is empty
         */
        public Builder clusterName(String clusterName) {
            this.clusterName = ClusterNode.nonEmpty(clusterName, "clusterName");
            return this;
        }

        /**
         * Adds nodes to connect to (required: at least one); the client then learns the others.
         *
         * @param hostPorts {@code host:port} of each
         * @return this builder
         * @throws NullPointerException if {@code hostPorts} or one of them is null
         * @throws IllegalArgumentException if one is not {@code host:port}
         */
        public Builder members(String... hostPorts) {
            members.addAll(ClusterNode.hostPorts(hostPorts));
            return this;
        }

        /**
         * Sets how long a task may run on its worker before it is ended and fails with
         * {@link TaskTimeoutException}; by default no limit.
         *
         * @param timeout positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder taskTimeout(Duration timeout) {
            this.taskTimeout = positive(timeout, "taskTimeout");
            return this;
        }

        /**
         * Sets how many times a task whose node was lost is dealt to another node; 0 (the default) fails it with
         * {@link NodeLostException}. A task dealt again may have run, in part, on the lost node.
         *
         * @param attempts 0 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code attempts} is negative
         */
        public Builder retryOnNodeLoss(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("retryOnNodeLoss must not be negative, was " + attempts);
            }
            this.retryOnNodeLoss = attempts;
            return this;
        }

        /**
         * Sets the pool's name, used in thread names and messages.
         *
         * @param name not empty
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if it is empty
         */
        public Builder name(String name) {
            this.name = ClusterNode.nonEmpty(name, "name");
            return this;
        }

        /**
         * Sets how long {@link #build()} waits to connect and for a node to be there; default
         * {@link #DEFAULT_CONNECT_TIMEOUT}.
         *
         * @param timeout positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Connects to the cluster as a Hazelcast client and waits until at least one node is there.
         *
         * @return the pool
         * @throws IllegalStateException if the cluster name or the members were not set
         * @throws MultiprocException if no node could be reached within the connect timeout
         */
        public ClusterPool build() {
            if (clusterName == null) {
                throw new IllegalStateException("clusterName is required");
            }
            if (members.isEmpty()) {
                throw new IllegalStateException("members is required: at least one node's host:port");
            }
            return new ClusterPool(ClusterDriver.connect(clusterName, members, taskTimeout, retryOnNodeLoss, name,
                    connectTimeout));
        }

        private static Duration positive(Duration d, String what) {
            requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
