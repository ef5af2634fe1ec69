package io.github.multiproc;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.internal.pool.PoolConfig;
import io.github.multiproc.internal.pool.PoolEngine;
import io.github.multiproc.internal.pool.PoolFutures;
import io.github.multiproc.internal.pool.PoolMaps;
import io.github.multiproc.internal.spawn.SpecBuilder;
import io.github.multiproc.internal.task.Calls;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A pool of warm worker JVMs that run tasks: Python's {@code multiprocessing.Pool}, for Java.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.create(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));       // [1, 4, 9]
 *     CompletableFuture<Long> pid = pool.applyAsync(() -> Fork.pid());     // a worker's pid
 * }
 * }</pre>
 *
 * <p><b>Workers.</b> Each worker is a JVM started like a task child (this JVM's {@code java} and class path, the
 * library's default options, then the builder's), all of them in parallel by {@link #create(int)} or
 * {@link Builder#build()}, which return once every worker is ready. Workers run one task at a time. A worker that dies
 * (a signal, {@code System.exit}, {@code Runtime.halt}, an {@link OutOfMemoryError}, a native crash) fails exactly the
 * task it was running, with a {@link ChildCrashedException} carrying its exit status, signal, pid and the last lines of
 * its stderr; the tasks it had been sent but not started run elsewhere; a new worker takes its place. Workers halt
 * within a second when this JVM dies, even by SIGKILL.
 *
 * <p><b>Futures</b> returned by the {@code *Async} methods are completed on the pool's {@code <name>-results}
 * thread; dependent actions added without an executor run there, one at a time, and delay other completions but never
 * the workers. Once {@code cancel} has returned true the task never starts. {@code cancel(false)} takes back a task
 * still queued here; a worker may already hold the next ones (while tasks are short it is sent several ahead), and
 * then only {@code cancel(true)} takes a task back: the worker skips it if it has not started, and ends itself (to be
 * replaced) if it runs it. {@code cancel(true)} waits for the worker's word on that: microseconds, or about a second
 * for a worker too busy to answer, which is then killed.
 *
 * <p><b>Lifecycle.</b> {@link #shutdown()} (Python's {@code close()}) refuses new tasks and lets queued ones run;
 * {@link #close()} also waits for them and for the workers to exit; {@link #terminate()} kills the workers at once and
 * cancels every unfinished task. A pool left to the garbage collector with no work pending, or still running when this
 * JVM exits, leaves no worker behind.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class ProcessPool implements Pool {
    private static final Cleaner CLEANER = Cleaner.create();

    private final PoolEngine engine;
    private final Cleaner.Cleanable cleanable;

    private ProcessPool(PoolEngine engine) {
        this.engine = engine;
        this.cleanable = CLEANER.register(this, engine::reclaim); // holds the engine, not the pool
    }

    /**
     * Creates a pool of {@code workers} worker JVMs with default settings and waits until they are ready.
     *
     * @param workers how many, at least 1
     * @return the pool
     * @throws IllegalArgumentException if {@code workers} is less than 1, or the system property
     *     {@code multiproc.terminateGrace} is not a valid ISO-8601 duration
     * @throws ChildCrashedException if a worker JVM cannot start (its stderr tail says why)
     * @throws MultiprocException if the workers cannot be launched, the state directory cannot be prepared, or this
     *     thread is interrupted while they start (the interrupt flag is then set again)
     */
    public static ProcessPool create(int workers) {
        return builder().workers(workers).build();
    }

    /**
     * Returns a builder for a pool; by default as many workers as available processors.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ apply

    @Override
    public <R> R apply(SerializableCallable<R> task) {
        requireNonNull(task, "task");
        return PoolFutures.await(engine.submit(Calls.of(task), this, true));
    }

    @Override
    public void apply(SerializableRunnable task) {
        requireNonNull(task, "task");
        PoolFutures.await(engine.submit(Calls.of(task), this, true));
    }

    @Override
    public <T, R> R apply(SerializableFunction<T, R> fn, T arg) {
        requireNonNull(fn, "fn");
        return PoolFutures.await(engine.submit(new Calls.Apply(fn, arg), this, true));
    }

    @Override
    public <R> CompletableFuture<R> applyAsync(SerializableCallable<R> task) {
        requireNonNull(task, "task");
        return engine.submit(Calls.of(task), this, false);
    }

    @Override
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> fn, T arg) {
        requireNonNull(fn, "fn");
        return engine.submit(new Calls.Apply(fn, arg), this, false);
    }

    @Override
    public CompletableFuture<Void> applyAsync(SerializableRunnable task) {
        requireNonNull(task, "task");
        return engine.submit(Calls.of(task), this, false);
    }

    // ------------------------------------------------------------------ map

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolFutures.await(mapAsync(fn, items));
    }

    @Override
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
        return PoolFutures.await(PoolMaps.map(engine, this, fn, items, chunkSize));
    }

    @Override
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolMaps.map(engine, this, fn, items, 0);
    }

    @Override
    public <T, U, R> List<R> starmap(SerializableBiFunction<T, U, R> fn,
            Iterable<? extends Map.Entry<? extends T, ? extends U>> pairs) {
        return PoolFutures.await(PoolMaps.starmap(engine, this, fn, pairs));
    }

    // ------------------------------------------------------------------ imap

    @Override
    public <T, R> Stream<R> imap(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolMaps.lazy(engine, this, fn, items, true);
    }

    @Override
    public <T, R> Stream<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return PoolMaps.lazy(engine, this, fn, items, false);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void shutdown() {
        engine.shutdown();
    }

    @Override
    public void close() {
        shutdown();
        try {
            engine.awaitTermination(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate();
            throw new CancellationException(engine.name() + ": interrupted while closing; terminated");
        }
        cleanable.clean();
    }

    @Override
    public void join() throws InterruptedException {
        requireShutdown();
        engine.awaitTermination(null);
    }

    @Override
    public boolean join(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        requireShutdown();
        return engine.awaitTermination(timeout);
    }

    private void requireShutdown() {
        if (!engine.isShutdown()) {
            throw new IllegalStateException(engine.name() + " is still running: call shutdown(), close() or "
                    + "terminate() before join()");
        }
    }

    @Override
    public void terminate() {
        engine.terminate();
    }

    @Override
    public boolean isShutdown() {
        return engine.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return engine.isTerminated();
    }

    @Override
    public int workers() {
        return engine.workers();
    }

    /**
     * Returns the pids of the live workers, by slot.
     *
     * @return a snapshot
     */
    public List<Long> workerPids() {
        return engine.workerPids();
    }

    @Override
    public PoolStats stats() {
        return engine.stats();
    }

    /**
     * Returns the pool's name: as set on the builder, else {@code "pool-<n>"}.
     *
     * @return the name
     */
    public String name() {
        return engine.name();
    }

    @Override
    public String toString() {
        return "ProcessPool[" + engine.name() + ", " + engine.stateSummary() + "]";
    }

    /**
     * Configures a {@link ProcessPool}, then {@link #build()}s it; obtained from {@link ProcessPool#builder()}.
     *
     * <p>Thread safety: not thread-safe; configure it from one thread. Each {@link #build()} starts a new pool.
     */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private SerializableRunnable initializer;
        private int maxTasksPerWorker;
        private Duration taskTimeout;
        private ProcessBuilder.Redirect stdout;
        private ProcessBuilder.Redirect stderr;
        private String name;

        Builder() {
        }

        /**
         * Sets the number of workers; default the number of available processors.
         *
         * @param workers at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code workers} is less than 1
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be positive, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Adds options for the worker JVMs, after the library's defaults.
         *
         * @param options JVM options, each starting with {@code '-'}
         * @return this builder
         * @throws NullPointerException if {@code options} or one of them is null
         * @throws IllegalArgumentException if an option does not start with {@code '-'}
         */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(SpecBuilder.jvmOptions(options));
            return this;
        }

        /**
         * Sets a system property in the worker JVMs. They also get every {@code multiproc.*} system property of this
         * JVM; one set here wins over this JVM's of the same name.
         *
         * @param key the property's name, not empty, no {@code '='}
         * @param value its value
         * @return this builder
         * @throws NullPointerException if {@code key} or {@code value} is null
         * @throws IllegalArgumentException if {@code key} is empty or contains {@code '='}
         */
        public Builder systemProperty(String key, String value) {
            systemProperties.put(SpecBuilder.systemPropertyKey(key), requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets a task each worker runs once, before its first task (Python's {@code initializer}). If it throws in a
         * worker started by {@link #build()}, {@code build()} fails with {@link ChildFailedException}.
         *
         * @param initializer the task
         * @return this builder
         * @throws NullPointerException if {@code initializer} is null
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * Replaces each worker with a fresh one after it has been given this many tasks (Python's
         * {@code maxtasksperchild}); 0 (the default) keeps workers for the pool's life.
         *
         * @param max tasks per worker, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is negative
         */
        public Builder maxTasksPerWorker(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxTasksPerWorker must not be negative, was " + max);
            }
            this.maxTasksPerWorker = max;
            return this;
        }

        /**
         * Ends a task that runs longer than {@code timeout}: its worker is killed and replaced, and its future fails
         * with {@link TaskTimeoutException}. Default: no timeout.
         *
         * @param timeout positive
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder taskTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("taskTimeout must be positive, was " + timeout);
            }
            this.taskTimeout = timeout;
            return this;
        }

        /**
         * Redirects the workers' stdout; default {@link ProcessBuilder.Redirect#INHERIT}. {@code PIPE} is refused:
         * nobody would read it.
         *
         * @param r the redirect
         * @return this builder
         * @throws NullPointerException if {@code r} is null
         * @throws IllegalArgumentException if {@code r} is {@code PIPE} or an input redirect
         */
        public Builder stdout(ProcessBuilder.Redirect r) {
            this.stdout = poolOutput(r, "stdout");
            return this;
        }

        /**
         * Redirects the workers' stderr. By default it is copied to this JVM's stderr and its last lines are kept for
         * {@link ChildCrashedException#stderrTail()}.
         *
         * @param r the redirect
         * @return this builder
         * @throws NullPointerException if {@code r} is null
         * @throws IllegalArgumentException if {@code r} is {@code PIPE} or an input redirect
         */
        public Builder stderr(ProcessBuilder.Redirect r) {
            this.stderr = poolOutput(r, "stderr");
            return this;
        }

        private static ProcessBuilder.Redirect poolOutput(ProcessBuilder.Redirect r, String what) {
            SpecBuilder.output(r, what);
            if (r == ProcessBuilder.Redirect.PIPE) {
                throw new IllegalArgumentException(what + "(PIPE) is not offered for pools: nobody would read it");
            }
            return r;
        }

        /**
         * Sets the pool's name, used for its threads, workers and messages; default {@code "pool-<n>"}.
         *
         * @param name not blank
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Starts the pool's workers in parallel and waits until all are ready.
         *
         * @return the pool
         * @throws NotSerializableTaskException if the initializer cannot be serialized
         * @throws ChildFailedException if the initializer threw in a worker
         * @throws ChildCrashedException if a worker JVM could not start
         * @throws IllegalArgumentException if the system property {@code multiproc.terminateGrace} is not a valid
         *     ISO-8601 duration
         * @throws MultiprocException if the workers cannot be launched, the state directory cannot be prepared, or
         *     this thread is interrupted while they start (the interrupt flag is then set again)
         */
        public ProcessPool build() {
            return new ProcessPool(PoolEngine.start(new PoolConfig(workers, jvmOptions, systemProperties,
                    initializer, maxTasksPerWorker, taskTimeout, stdout, stderr, name)));
        }
    }
}
