package io.github.multiproc;

import static java.util.Objects.requireNonNull;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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
 * the workers. {@code cancel(true)} on a running task kills its worker (which is replaced); {@code cancel} on a task
 * that has not started removes it (while tasks are short a worker is sent several ahead; it skips a cancelled one).
 *
 * <p><b>Lifecycle.</b> {@link #shutdown()} (Python's {@code close()}) refuses new tasks and lets queued ones run;
 * {@link #close()} also waits for them and for the workers to exit; {@link #terminate()} kills the workers at once and
 * cancels every unfinished task. A pool left to the garbage collector with no work pending, or still running when this
 * JVM exits, leaves no worker behind.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class ProcessPool implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final PoolEngine engine;
    private final Cleaner.Cleanable cleanable;

    private ProcessPool(PoolEngine engine) {
        this.engine = engine;
        this.cleanable = CLEANER.register(this, new Reclaim(engine));
    }

    /** Terminates the engine of a pool that became unreachable; holds no reference to the pool itself. */
    private static final class Reclaim implements Runnable {
        private final PoolEngine engine;

        Reclaim(PoolEngine engine) {
            this.engine = engine;
        }

        @Override
        public void run() {
            if (!engine.isTerminated()) {
                engine.terminate();
            }
        }
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

    /**
     * Runs {@code task} on a worker and waits for its value (Python's {@code apply}).
     *
     * @param task the task
     * @param <R> the result type
     * @return the task's value
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws ChildFailedException if the task threw (the cause is its exception)
     * @throws ChildCrashedException if the worker died while running it
     * @throws TaskTimeoutException if it ran longer than the pool's task timeout
     * @throws CancellationException if it was cancelled, the pool terminated, or this thread interrupted (the
     *     interrupt flag is then set again)
     */
    public <R> R apply(SerializableCallable<R> task) {
        requireNonNull(task, "task");
        return await(engine.submit(Calls.of(task), this, true));
    }

    /**
     * Runs {@code task} on a worker and waits until it has run.
     *
     * @param task the task
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws ChildFailedException if the task threw (the cause is its exception)
     * @throws ChildCrashedException if the worker died while running it
     * @throws TaskTimeoutException if it ran longer than the pool's task timeout
     * @throws CancellationException if it was cancelled, the pool terminated, or this thread interrupted
     */
    public void apply(SerializableRunnable task) {
        requireNonNull(task, "task");
        await(engine.submit(Calls.of(task), this, true));
    }

    /**
     * Runs {@code fn(arg)} on a worker and waits for its value (Python's {@code apply(fn, (arg,))}).
     *
     * @param fn the function
     * @param arg its argument, serializable
     * @param <T> the argument type
     * @param <R> the result type
     * @return the function's value
     * @throws NullPointerException if {@code fn} is null
     * @throws NotSerializableTaskException if the function or argument cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws ChildFailedException if the function threw
     * @throws ChildCrashedException if the worker died while running it
     * @throws TaskTimeoutException if it ran longer than the pool's task timeout
     * @throws CancellationException if it was cancelled, the pool terminated, or this thread interrupted
     */
    public <T, R> R apply(SerializableFunction<T, R> fn, T arg) {
        requireNonNull(fn, "fn");
        return await(engine.submit(new Calls.Apply(fn, arg), this, true));
    }

    /**
     * Queues {@code task} and returns at once (Python's {@code apply_async}).
     *
     * @param task the task
     * @param <R> the result type
     * @return a future for its value; fails with the exceptions {@link #apply(SerializableCallable)} throws
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public <R> CompletableFuture<R> applyAsync(SerializableCallable<R> task) {
        requireNonNull(task, "task");
        return engine.submit(Calls.of(task), this, false);
    }

    /**
     * Queues {@code fn(arg)} and returns at once.
     *
     * @param fn the function
     * @param arg its argument
     * @param <T> the argument type
     * @param <R> the result type
     * @return a future for its value
     * @throws NullPointerException if {@code fn} is null
     * @throws NotSerializableTaskException if the function or argument cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> fn, T arg) {
        requireNonNull(fn, "fn");
        return engine.submit(new Calls.Apply(fn, arg), this, false);
    }

    /**
     * Queues {@code task} and returns at once.
     *
     * @param task the task
     * @return a future that completes with null when it has run
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public CompletableFuture<Void> applyAsync(SerializableRunnable task) {
        requireNonNull(task, "task");
        return engine.submit(Calls.of(task), this, false);
    }

    // ------------------------------------------------------------------ map

    /**
     * Applies {@code fn} to every item and returns the results in order (Python's {@code map}): the items are read
     * into a list and sent in chunks of about {@code size / (4 * workers)}.
     *
     * @param fn the function
     * @param items the items
     * @param <T> the item type
     * @param <R> the result type
     * @return the results, in the order of the items
     * @throws NullPointerException if an argument is null
     * @throws NotSerializableTaskException if the function or an item cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws ChildFailedException if {@code fn} threw for an item (the first failure; later chunks not yet started
     *     are cancelled)
     * @throws ChildCrashedException if a worker died running a chunk
     * @throws TaskTimeoutException if a chunk ran longer than the task timeout
     * @throws CancellationException if the pool was terminated or this thread interrupted
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return await(mapAsync(fn, items));
    }

    /**
     * Like {@link #map(SerializableFunction, Iterable)} with an explicit chunk size.
     *
     * @param fn the function
     * @param items the items
     * @param chunkSize items per task, at least 1
     * @param <T> the item type
     * @param <R> the result type
     * @return the results, in order
     * @throws IllegalArgumentException if {@code chunkSize} is less than 1
     * @throws NullPointerException if an argument is null
     * @throws NotSerializableTaskException if the function or an item cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws ChildFailedException if {@code fn} threw for an item
     * @throws ChildCrashedException if a worker died running a chunk
     * @throws TaskTimeoutException if a chunk ran longer than the task timeout
     * @throws CancellationException if the pool was terminated or this thread interrupted
     */
    public <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
        return await(mapChunks(fn, items, chunkSize));
    }

    /**
     * Queues {@code map} and returns at once (Python's {@code map_async}).
     *
     * @param fn the function
     * @param items the items, read now
     * @param <T> the item type
     * @param <R> the result type
     * @return a future for the results in order; it fails as soon as one chunk fails
     * @throws NullPointerException if an argument is null
     * @throws NotSerializableTaskException if the function or an item cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    public <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return mapChunks(fn, items, 0);
    }

    private <T, R> CompletableFuture<List<R>> mapChunks(SerializableFunction<T, R> fn, Iterable<? extends T> items,
            int chunkSize) {
        requireNonNull(fn, "fn");
        List<T> list = toList(requireNonNull(items, "items"));
        int chunk = chunkSize > 0 ? chunkSize : defaultChunkSize(list.size());
        List<CompletableFuture<List<R>>> chunks = new ArrayList<>();
        try {
            for (int from = 0; from < list.size(); from += chunk) {
                if (chunk == 1) {
                    Calls.Apply single = new Calls.Apply(fn, list.get(from));
                    if (single.plain()) {
                        chunks.add(asChunk(engine.submit(single, this, false)));
                        continue;
                    }
                }
                List<T> part = list.subList(from, Math.min(list.size(), from + chunk));
                chunks.add(engine.submit(new Calls.Chunk(fn, part), this, false));
            }
        } catch (RuntimeException e) {
            chunks.forEach(c -> c.cancel(false));
            throw e;
        }
        return gather(chunks);
    }

    /**
     * A chunk of one plain item sent as a plain task (no serialization: see {@code Worker.send}); cancelling the
     * chunk cancels the task.
     */
    private static <R> CompletableFuture<List<R>> asChunk(CompletableFuture<Object> task) {
        @SuppressWarnings("unchecked")
        CompletableFuture<List<R>> chunk = task.thenApply(v -> java.util.Collections.singletonList((R) v));
        chunk.whenComplete((v, e) -> {
            if (chunk.isCancelled()) {
                task.cancel(false);
            }
        });
        return chunk;
    }

    /** Python's rule: {@code ceil(len / (4 * workers))}, at least 1. */
    int defaultChunkSize(int size) {
        int per = 4 * workers();
        int chunk = size / per;
        return Math.max(1, size % per != 0 ? chunk + 1 : chunk);
    }

    /** All chunks' results in order; fails as soon as one chunk fails and cancels the chunks not yet started. */
    private static <R> CompletableFuture<List<R>> gather(List<CompletableFuture<List<R>>> chunks) {
        CompletableFuture<List<R>> all = new CompletableFuture<>();
        if (chunks.isEmpty()) {
            all.complete(new ArrayList<>());
            return all;
        }
        AtomicInteger left = new AtomicInteger(chunks.size());
        for (CompletableFuture<List<R>> c : chunks) {
            c.whenComplete((v, e) -> {
                if (e != null) {
                    if (all.completeExceptionally(unwrap(e))) {
                        chunks.forEach(other -> other.cancel(false));
                    }
                } else if (left.decrementAndGet() == 0) {
                    List<R> results = new ArrayList<>();
                    chunks.forEach(done -> results.addAll(done.join()));
                    all.complete(results);
                }
            });
        }
        all.whenComplete((v, e) -> {
            if (all.isCancelled()) {
                chunks.forEach(c -> c.cancel(true));
            }
        });
        return all;
    }

    /**
     * Applies {@code fn} to each pair, passing its key and value as two arguments (Python's {@code starmap}).
     *
     * @param fn the function
     * @param pairs the argument pairs, for example {@code Map.entry(1, 2)}
     * @param <T> the first argument's type
     * @param <U> the second argument's type
     * @param <R> the result type
     * @return the results, in order
     * @throws NullPointerException if an argument or a pair is null
     * @throws NotSerializableTaskException if the function or an argument cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws ChildFailedException if {@code fn} threw
     * @throws ChildCrashedException if a worker died running a chunk
     * @throws TaskTimeoutException if a chunk ran longer than the task timeout
     * @throws CancellationException if the pool was terminated or this thread interrupted
     */
    public <T, U, R> List<R> starmap(SerializableBiFunction<T, U, R> fn,
            Iterable<? extends Map.Entry<? extends T, ? extends U>> pairs) {
        requireNonNull(fn, "fn");
        List<Calls.Pair> list = new ArrayList<>();
        for (Map.Entry<? extends T, ? extends U> e : requireNonNull(pairs, "pairs")) {
            requireNonNull(e, "pair");
            list.add(new Calls.Pair(e.getKey(), e.getValue()));
        }
        int chunk = defaultChunkSize(list.size());
        List<CompletableFuture<List<R>>> chunks = new ArrayList<>();
        try {
            for (int from = 0; from < list.size(); from += chunk) {
                chunks.add(engine.submit(new Calls.StarChunk(fn, list.subList(from, Math.min(list.size(),
                        from + chunk))), this, false));
            }
        } catch (RuntimeException e) {
            chunks.forEach(c -> c.cancel(false));
            throw e;
        }
        return await(gather(chunks));
    }

    // ------------------------------------------------------------------ imap

    /**
     * Applies {@code fn} to the items lazily and streams the results in order (Python's {@code imap}). Items are read
     * only as results are consumed, at most a small window ahead ({@code 2 * workers}), so an infinite or huge
     * {@code Iterable} works in bounded memory. Closing the stream cancels what is still queued.
     *
     * @param fn the function
     * @param items the items, read lazily
     * @param <T> the item type
     * @param <R> the result type
     * @return a sequential stream of the results, in the order of the items; a failed item throws its exception
     *     ({@link ChildFailedException}, {@link ChildCrashedException}, {@link TaskTimeoutException},
     *     {@link CancellationException}) from the stream's terminal operation, and so does an item that cannot be
     *     submitted ({@link NotSerializableTaskException},
     *     {@link java.util.concurrent.RejectedExecutionException} once the pool is shut down)
     * @throws NullPointerException if an argument is null
     */
    public <T, R> Stream<R> imap(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return lazy(fn, items, true);
    }

    /**
     * Like {@link #imap}, but streams the results as they finish (Python's {@code imap_unordered}).
     *
     * @param fn the function
     * @param items the items, read lazily
     * @param <T> the item type
     * @param <R> the result type
     * @return a sequential stream of the results, in the order they finish; failures are thrown from the stream's
     *     terminal operation as for {@link #imap}, and {@link CancellationException} if this thread is interrupted
     *     while it waits for a result (the interrupt flag is then set again)
     * @throws NullPointerException if an argument is null
     */
    public <T, R> Stream<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<? extends T> items) {
        return lazy(fn, items, false);
    }

    private <T, R> Stream<R> lazy(SerializableFunction<T, R> fn, Iterable<? extends T> items, boolean ordered) {
        requireNonNull(fn, "fn");
        requireNonNull(items, "items");
        LazyResults<T, R> results = new LazyResults<>(fn, items.iterator(), Math.max(2, 2 * workers()), ordered);
        return StreamSupport.stream(results, false).onClose(results::cancelAll);
    }

    /** Keeps at most {@code window} items in flight and hands out their results in order or as they finish. */
    private final class LazyResults<T, R> extends Spliterators.AbstractSpliterator<R> {
        private final SerializableFunction<T, R> fn;
        private final Iterator<? extends T> items;
        private final int window;
        private final boolean ordered;
        private final ArrayDeque<CompletableFuture<R>> pending = new ArrayDeque<>();
        private final BlockingQueue<CompletableFuture<R>> finished = new LinkedBlockingQueue<>();

        LazyResults(SerializableFunction<T, R> fn, Iterator<? extends T> items, int window, boolean ordered) {
            super(Long.MAX_VALUE, ordered ? Spliterator.ORDERED : 0);
            this.fn = fn;
            this.items = items;
            this.window = window;
            this.ordered = ordered;
        }

        @Override
        public boolean tryAdvance(Consumer<? super R> action) {
            while (pending.size() < window && items.hasNext()) {
                CompletableFuture<R> f = applyAsync(fn, items.next());
                pending.add(f);
                f.whenComplete((v, e) -> finished.add(f));
            }
            if (pending.isEmpty()) {
                return false;
            }
            CompletableFuture<R> next;
            if (ordered) {
                next = pending.poll();
            } else {
                try {
                    next = finished.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelAll();
                    throw new CancellationException("interrupted while waiting for a result");
                }
                pending.remove(next);
            }
            action.accept(await(next));
            return true;
        }

        void cancelAll() {
            pending.forEach(f -> f.cancel(false));
            pending.clear();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Refuses new tasks from now on and lets queued ones run; the workers exit once the queue is empty. Returns at
     * once (Python's {@code close()}). Idempotent.
     */
    public void shutdown() {
        engine.shutdown();
    }

    /**
     * Shuts down, then waits until every queued task has run and the workers have exited. Idempotent; for
     * try-with-resources.
     *
     * @throws CancellationException if interrupted while waiting (the interrupt flag is set again; the pool is then
     *     terminated)
     */
    @Override
    public void close() {
        shutdown();
        try {
            engine.awaitTermination(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminate();
            throw new CancellationException(engine.name + ": interrupted while closing; terminated");
        }
        cleanable.clean();
    }

    /**
     * Waits until the workers have exited (Python's {@code join()}).
     *
     * @throws IllegalStateException if neither {@link #shutdown()}, {@link #close()} nor {@link #terminate()} came
     *     first
     * @throws InterruptedException if interrupted while waiting
     */
    public void join() throws InterruptedException {
        requireShutdown();
        engine.awaitTermination(null);
    }

    /**
     * Waits at most {@code timeout} until the workers have exited.
     *
     * @param timeout how long to wait at most
     * @return whether the pool is terminated
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if neither {@link #shutdown()}, {@link #close()} nor {@link #terminate()} came
     *     first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        requireShutdown();
        return engine.awaitTermination(timeout);
    }

    private void requireShutdown() {
        if (!engine.isShutdown()) {
            throw new IllegalStateException(engine.name + " is still running: call shutdown(), close() or "
                    + "terminate() before join()");
        }
    }

    /**
     * Stops now: kills the workers and fails every task not yet done with {@link CancellationException}. Returns at
     * once; {@link #join()} waits for the workers to be gone.
     */
    public void terminate() {
        engine.terminate();
    }

    /**
     * Returns whether {@link #shutdown()}, {@link #close()} or {@link #terminate()} was called.
     *
     * @return whether new tasks are refused
     */
    public boolean isShutdown() {
        return engine.isShutdown();
    }

    /**
     * Returns whether the pool has stopped and all its workers have exited.
     *
     * @return whether the pool is terminated
     */
    public boolean isTerminated() {
        return engine.isTerminated();
    }

    /**
     * Returns the number of worker slots.
     *
     * @return the configured number of workers
     */
    public int workers() {
        return engine.config.workers();
    }

    /**
     * Returns the pids of the live workers, by slot.
     *
     * @return a snapshot
     */
    public List<Long> workerPids() {
        return engine.workerPids();
    }

    /**
     * Returns the pool's counters.
     *
     * @return a snapshot
     */
    public PoolStats stats() {
        return engine.stats();
    }

    /**
     * Returns the pool's name: as set on the builder, else {@code "pool-<n>"}.
     *
     * @return the name
     */
    public String name() {
        return engine.name;
    }

    @Override
    public String toString() {
        return "ProcessPool[" + engine.name + ", " + engine.stateSummary() + "]";
    }

    // ------------------------------------------------------------------ helpers

    private static <R> R await(CompletableFuture<R> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the task");
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e.getCause());
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new MultiprocException(cause.toString(), cause);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static <T> List<T> toList(Iterable<? extends T> items) {
        if (items instanceof java.util.Collection) {
            return new ArrayList<>((java.util.Collection<? extends T>) items); // one array copy
        }
        List<T> list = new ArrayList<>();
        for (T item : items) {
            list.add(item);
        }
        return list;
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
         * Sets a system property in the worker JVMs.
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
