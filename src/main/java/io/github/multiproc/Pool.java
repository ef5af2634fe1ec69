package io.github.multiproc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A pool of workers that run tasks: Python's {@code multiprocessing.Pool}. {@link ProcessPool} is the pool of worker
 * JVMs on this machine; code written against this interface does not care where its workers are.
 *
 * <p>Futures returned by the {@code *Async} methods complete on a thread of the pool's, never on the caller's;
 * Once {@code cancel} has returned true, the task never starts: {@code cancel(false)} takes back a task that is still
 * queued; {@code cancel(true)} also one a worker already holds (skipped if it has not started, ended if it runs). A task
 * submitted after {@link #shutdown()}, {@link #close()} or {@link #terminate()} is rejected with
 * {@link java.util.concurrent.RejectedExecutionException}. Blocking forms ({@code apply}, {@code map},
 * {@code starmap}) throw the exceptions below directly; futures complete exceptionally with them.
 *
 * <p>Thread safety: implementations are safe for concurrent use by any number of threads.
 */
public interface Pool extends AutoCloseable {
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
    <R> R apply(SerializableCallable<R> task);

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
    void apply(SerializableRunnable task);

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
    <T, R> R apply(SerializableFunction<T, R> fn, T arg);

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
    <R> CompletableFuture<R> applyAsync(SerializableCallable<R> task);

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
    <T, R> CompletableFuture<R> applyAsync(SerializableFunction<T, R> fn, T arg);

    /**
     * Queues {@code task} and returns at once.
     *
     * @param task the task
     * @return a future that completes with null when it has run
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     */
    CompletableFuture<Void> applyAsync(SerializableRunnable task);

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
    <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items);

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
    <T, R> List<R> map(SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunkSize);

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
    <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<T, R> fn, Iterable<? extends T> items);

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
    <T, U, R> List<R> starmap(SerializableBiFunction<T, U, R> fn,
            Iterable<? extends Map.Entry<? extends T, ? extends U>> pairs);

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
    <T, R> Stream<R> imap(SerializableFunction<T, R> fn, Iterable<? extends T> items);

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
    <T, R> Stream<R> imapUnordered(SerializableFunction<T, R> fn, Iterable<? extends T> items);

    /**
     * Refuses new tasks from now on and lets queued ones run; the workers exit once the queue is empty. Returns at
     * once (Python's {@code close()}). Idempotent.
     */
    void shutdown();

    /**
     * Shuts down, then waits until every queued task has run and the workers have exited. Idempotent; for
     * try-with-resources.
     *
     * @throws CancellationException if interrupted while waiting (the interrupt flag is set again; the pool is then
     *     terminated)
     */
    void close();

    /**
     * Waits until the workers have exited (Python's {@code join()}).
     *
     * @throws IllegalStateException if neither {@link #shutdown()}, {@link #close()} nor {@link #terminate()} came
     *     first
     * @throws InterruptedException if interrupted while waiting
     */
    void join() throws InterruptedException ;

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
    boolean join(Duration timeout) throws InterruptedException ;

    /**
     * Stops now: kills the workers and fails every task not yet done with {@link CancellationException}. Returns at
     * once; {@link #join()} waits for the workers to be gone.
     */
    void terminate();

    /**
     * Returns whether {@link #shutdown()}, {@link #close()} or {@link #terminate()} was called.
     *
     * @return whether new tasks are refused
     */
    boolean isShutdown();

    /**
     * Returns whether the pool has stopped and all its workers have exited.
     *
     * @return whether the pool is terminated
     */
    boolean isTerminated();

    /**
     * Returns the number of worker slots.
     *
     * @return the configured number of workers
     */
    int workers();

    /**
     * Returns the pool's counters.
     *
     * @return a snapshot
     */
    PoolStats stats();
}
