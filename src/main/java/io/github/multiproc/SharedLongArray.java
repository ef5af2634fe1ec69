package io.github.multiproc;

import io.github.multiproc.internal.ipc.SharedLongs;
import io.github.multiproc.internal.runtime.Settings;
import java.io.Serializable;

/**
 * Longs in shared memory, each read and updated atomically by any process, Python's
 * {@code multiprocessing.Array('q', n)} and {@code Value('q')} without their lock: made in one JVM, it travels with
 * the tasks that capture it.
 *
 * <pre>{@code
 * try (SharedLongArray hits = SharedLongArray.create(1)) {
 *     pool.map(x -> hits.getAndAdd(0, 1), items);
 * }
 * }</pre>
 *
 * <p>Reads and writes are volatile, {@link #getAndAdd} and {@link #compareAndSet} atomic across processes (they are
 * {@link java.lang.invoke.VarHandle} operations on the memory-mapped file). The memory is freed when the creating
 * JVM closes it or exits; after a SIGKILL, by {@link Fork#reapOrphans()}.
 *
 * <p>Thread safety: safe for concurrent use by any number of threads in any number of processes.
 */
public final class SharedLongArray implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int MAX_LENGTH = (Integer.MAX_VALUE - 4096) / 8;

    /** @serial the longs and how to reach them: their segment file, mapped on first use, and the length. */
    private final SharedLongs longs;

    private SharedLongArray(int length) {
        this.longs = new SharedLongs(length, Settings.stateDir());
    }

    /**
     * Makes an array of zeros.
     *
     * @param length how many longs
     * @return the array, owned by this JVM
     * @throws IllegalArgumentException if {@code length} is negative or more than one mapping holds
     *     (about 2<sup>28</sup>)
     * @throws IllegalStateException if its shared memory cannot be made
     */
    public static SharedLongArray create(int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be from 0 to " + MAX_LENGTH + ", was " + length);
        }
        return new SharedLongArray(length);
    }

    /**
     * Returns how many longs there are.
     *
     * @return the length
     */
    public int length() {
        return longs.length();
    }

    /**
     * Returns a long (a volatile read).
     *
     * @param index which
     * @return its value
     * @throws IndexOutOfBoundsException if {@code index} is not from 0 to {@code length() - 1}
     * @throws IllegalStateException if the array is closed, or its creator ended
     */
    public long get(int index) {
        return longs.get(index);
    }

    /**
     * Sets a long (a volatile write).
     *
     * @param index which
     * @param value its new value
     * @throws IndexOutOfBoundsException if {@code index} is not from 0 to {@code length() - 1}
     * @throws IllegalStateException if the array is closed, or its creator ended
     */
    public void set(int index, long value) {
        longs.set(index, value);
    }

    /**
     * Adds to a long atomically, across processes.
     *
     * @param index which
     * @param delta what to add
     * @return the value before
     * @throws IndexOutOfBoundsException if {@code index} is not from 0 to {@code length() - 1}
     * @throws IllegalStateException if the array is closed, or its creator ended
     */
    public long getAndAdd(int index, long delta) {
        return longs.getAndAdd(index, delta);
    }

    /**
     * Sets a long to {@code value} if it is {@code expected}, atomically across processes.
     *
     * @param index which
     * @param expected the value it must have
     * @param value its new value
     * @return whether it was set
     * @throws IndexOutOfBoundsException if {@code index} is not from 0 to {@code length() - 1}
     * @throws IllegalStateException if the array is closed, or its creator ended
     */
    public boolean compareAndSet(int index, long expected, long value) {
        return longs.compareAndSet(index, expected, value);
    }

    /**
     * In the JVM that made the array: frees it, and every later call in any process throws
     * {@link IllegalStateException}. Elsewhere: ends this JVM's use of it only. May be called more than once.
     */
    @Override
    public void close() {
        longs.close();
    }

    /**
     * Returns a description of the array, naming its shared-memory file.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return longs.toString();
    }
}
