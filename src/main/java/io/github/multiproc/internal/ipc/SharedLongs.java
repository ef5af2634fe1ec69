package io.github.multiproc.internal.ipc;

import java.nio.file.Path;
/**
 * The engine of {@code SharedLongArray}: longs in a segment, each read and written atomically. An array of up to
 * {@value #PADDED_MAX} longs gives each long a cache line of its own (the segment takes a page anyway), so that
 * processes that update different longs, each its own counter, do not slow each other down; a longer one packs them.
 *
 * <p>Thread safety: safe for concurrent use, from any number of threads in any number of processes.
 */
public final class SharedLongs extends SharedObject {
    private static final long serialVersionUID = 1L;

    private static final int PADDED_MAX = (4096 - Segment.HEADER) / 64;

    private final int length;
    /** The bytes from one long to the next: 64 (a cache line) or 8. */
    private final int stride;

    /**
     * Makes a zero-filled array in this JVM.
     *
     * @param length how many longs
     * @param stateDir the state directory, where it goes if there is no {@code /dev/shm}
     */
    public SharedLongs(int length, Path stateDir) {
        super(Segment.Kind.LONGS, (long) strideFor(length) * length, "SharedLongArray", stateDir);
        this.length = length;
        this.stride = strideFor(length);
    }

    /** An array of {@code length} longs on scratch memory, for {@link AccessWarmUp}. */
    static SharedLongs onScratch(int length) {
        return new SharedLongs(Segment.scratch(strideFor(length) * length), length);
    }

    private SharedLongs(Segment scratch, int length) {
        super(scratch, Segment.Kind.LONGS, "SharedLongArray");
        this.length = length;
        this.stride = strideFor(length);
    }

    private static int strideFor(int length) {
        return length <= PADDED_MAX ? 64 : 8;
    }

    /** Returns how many longs there are. */
    public int length() {
        return length;
    }

    private int offset(int index) {
        return Segment.HEADER + stride * java.util.Objects.checkIndex(index, length);
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
