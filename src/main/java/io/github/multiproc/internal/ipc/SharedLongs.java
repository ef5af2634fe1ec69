package io.github.multiproc.internal.ipc;

/**
 * The engine of {@code SharedLongArray}: longs in a segment, each read and written atomically.
 *
 * <p>Thread safety: safe for concurrent use, from any number of threads in any number of processes.
 */
public final class SharedLongs extends SharedObject {
    private static final long serialVersionUID = 1L;

    private final int length;

    /**
     * Makes a zero-filled array in this JVM.
     *
     * @param length how many longs
     */
    public SharedLongs(int length) {
        super(Segment.Kind.LONGS, 8L * length, "SharedLongArray");
        this.length = length;
    }

    /** Returns how many longs there are. */
    public int length() {
        return length;
    }

    private int offset(int index) {
        return Segment.HEADER + 8 * java.util.Objects.checkIndex(index, length);
    }

    /** Volatile read. */
    public long get(int index) {
        int offset = offset(index);
        return segment().getLong(offset);
    }

    /** Volatile write. */
    public void set(int index, long value) {
        int offset = offset(index);
        segment().putLong(offset, value);
    }

    /** Atomic add; returns the previous value. */
    public long getAndAdd(int index, long delta) {
        int offset = offset(index);
        return segment().getAndAdd(offset, delta);
    }

    /** Atomic compare and set. */
    public boolean compareAndSet(int index, long expected, long value) {
        int offset = offset(index);
        return segment().compareAndSet(offset, expected, value);
    }
}
