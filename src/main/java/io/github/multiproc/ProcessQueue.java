package io.github.multiproc;

import io.github.multiproc.internal.ipc.SharedQueue;
import io.github.multiproc.internal.runtime.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A first-in first-out queue shared by processes, Python's {@code multiprocessing.Queue}: made in one JVM, it
 * travels with the tasks that capture it, and every task child, pool worker or other JVM of this user on this
 * machine that has a copy puts into and takes from the same queue.
 *
 * <pre>{@code
 * try (ProcessQueue<String> queue = ProcessQueue.create()) {
 *     Fork.run(() -> queue.put("hello from " + Fork.pid()));
 *     String greeting = queue.take();
 * }
 * }</pre>
 *
 * <p>Items are serialized into shared memory (integers, longs and strings by hand, others by Java serialization)
 * and read by the process that takes them. {@link #put} returns only once the item is in the queue; items from one
 * producer arrive in the order it put them; an item taken by a process that then dies is gone, as in Python. A queue
 * holds at most {@value io.github.multiproc.internal.ipc.SharedQueue#RING_BYTES} bytes of serialized items at once
 * (a {@code put} waits while they are there), and a bounded queue at most its capacity of items.
 *
 * <p>No call waits for ever because the queue's creator closed it or ended: waiting calls see that within about a
 * second and throw {@link IllegalStateException}. The queue is freed when its creator closes it or exits; after a
 * SIGKILL, by {@link Fork#reapOrphans()}.
 *
 * <p>Memory consistency effects: actions in a thread before it puts an item happen-before the actions after the
 * item is taken, in whatever process takes it.
 *
 * <p>Thread safety: safe for concurrent use by any number of threads in any number of processes.
 *
 * @param <T> the type of the items
 */
public final class ProcessQueue<T> implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;

    /** @serial the ring of items and how to reach it: its segment file, mapped on first use, and the capacity. */
    private final SharedQueue queue;

    private ProcessQueue(int capacity) {
        this.queue = new SharedQueue(capacity, Settings.stateDir());
    }

    /**
     * Makes an unbounded queue (bounded only by the bytes it holds at once, see above).
     *
     * @param <T> the type of the items
     * @return the queue, owned by this JVM
     * @throws IllegalStateException if its shared memory cannot be made
     */
    public static <T> ProcessQueue<T> create() {
        return new ProcessQueue<>(Integer.MAX_VALUE);
    }

    /**
     * Makes a queue that holds at most {@code capacity} items: {@link #put} waits while it is full.
     *
     * @param <T> the type of the items
     * @param capacity the most items it holds
     * @return the queue, owned by this JVM
     * @throws IllegalArgumentException if {@code capacity} is not positive
     * @throws IllegalStateException if its shared memory cannot be made
     */
    public static <T> ProcessQueue<T> create(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        return new ProcessQueue<>(capacity);
    }

    /**
     * Puts an item at the end of the queue, waiting while it is full ({@code Queue.put}).
     *
     * @param item the item
     * @throws NullPointerException if {@code item} is null
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class that cannot), or is
     *     larger serialized than the queue holds; nothing is put then
     * @throws IllegalStateException if the queue is closed, or its creator ended
     * @throws InterruptedException if interrupted while waiting; nothing is put then
     */
    public void put(T item) throws InterruptedException {
        queue.put(Objects.requireNonNull(item, "item"));
    }

    /**
     * Puts an item at the end of the queue, waiting up to {@code timeout} while it is full.
     *
     * @param item the item
     * @param timeout how long to wait at most
     * @return whether it was put
     * @throws NullPointerException if {@code item} or {@code timeout} is null
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class that cannot), or is
     *     larger serialized than the queue holds; nothing is put then
     * @throws IllegalStateException if the queue is closed, or its creator ended
     * @throws InterruptedException if interrupted while waiting; nothing is put then
     */
    public boolean offer(T item, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return queue.offer(Objects.requireNonNull(item, "item"), timeout);
    }

    /**
     * Takes the first item, waiting as long as the queue is empty ({@code Queue.get}).
     *
     * @return the item
     * @throws IllegalStateException if the queue is closed, or its creator ended, or the item cannot be read here
     *     (its class is missing)
     * @throws InterruptedException if interrupted while waiting
     */
    @SuppressWarnings("unchecked")
    public T take() throws InterruptedException {
        return (T) queue.take();
    }

    /**
     * Takes the first item, waiting up to {@code timeout} while the queue is empty.
     *
     * @param timeout how long to wait at most
     * @return the item, or empty after the timeout (where Python raises {@code queue.Empty})
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if the queue is closed, or its creator ended, or the item cannot be read here
     * @throws InterruptedException if interrupted while waiting
     */
    @SuppressWarnings("unchecked")
    public Optional<T> poll(Duration timeout) throws InterruptedException {
        return queue.poll(Objects.requireNonNull(timeout, "timeout")).map(item -> (T) item);
    }

    /**
     * Returns how many items the queue holds now; approximate while others put and take, like {@code Queue.qsize}.
     *
     * @return the count
     * @throws IllegalStateException if the queue is closed, or its creator ended
     */
    public int size() {
        return queue.size();
    }

    /**
     * In the JVM that made the queue: frees it, and every waiting or later call in any process throws
     * {@link IllegalStateException}. Elsewhere: ends this JVM's use of it only. May be called more than once.
     */
    @Override
    public void close() {
        queue.close();
    }

    /**
     * Returns a description of the queue, naming its shared-memory file.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return queue.toString();
    }
}
