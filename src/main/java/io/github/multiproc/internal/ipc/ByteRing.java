package io.github.multiproc.internal.ipc;

import java.nio.ByteBuffer;

/**
 * A ring of length-prefixed byte records in a segment, for any number of writers and readers in any processes, under
 * a {@link LockWord}. Its words: the lock, the head and tail (byte positions that only grow), the count of records.
 * A writer copies its record in and then moves the tail, a reader copies it out and then moves the head, so that a
 * process that dies mid-copy leaves the ring as it was before (the next locker takes its lock over).
 *
 * <p>Thread safety: safe for concurrent use; the words are in shared memory and change only under the lock.
 */
final class ByteRing {
    /**
     * The ring's words before its bytes, each on a cache line of its own: readers waiting for a record read the head
     * and the tail over and over, which must not take the line of the lock from the writer.
     */
    static final int WORDS = 256;
    private static final int LOCK = 0;
    private static final int HEAD = 64;
    private static final int TAIL = 128;
    private static final int COUNT = 192;
    private static final int LENGTH_BYTES = 4;

    private final Segment segment;
    private final int base;
    private final int data;
    private final int size;

    /**
     * Views the ring at {@code base}.
     *
     * @param segment its segment
     * @param base where its words start
     * @param size the bytes of the ring after its words
     */
    ByteRing(Segment segment, int base, int size) {
        this.segment = segment;
        this.base = base;
        this.data = base + WORDS;
        this.size = size;
    }

    /** The segment bytes a ring of {@code size} bytes takes. */
    static long footprint(int size) {
        return WORDS + (long) size;
    }

    /** The largest record the ring holds. */
    int maxRecord() {
        return size - LENGTH_BYTES;
    }

    boolean lock(Waiter waiter) throws InterruptedException {
        return LockWord.lock(segment, base + LOCK, waiter);
    }

    /** Releases the lock, which this process holds: a live holder's lock is never taken over, so one store does. */
    void unlock() {
        segment.putLongRelease(base + LOCK, 0);
    }

    /**
     * Takes the lock and the first record, if there is one.
     *
     * @param waiter how to wait for the lock
     * @return the record, or null if there was none (another reader was first) or the waiter's deadline passed
     * @throws InterruptedException if interrupted while waiting for the lock
     */
    byte[] take(Waiter waiter) throws InterruptedException {
        if (!lock(waiter)) {
            return null;
        }
        try {
            return removeFirst();
        } finally {
            unlock();
        }
    }

    /**
     * Takes the lock and appends a record if there is room for it and fewer than {@code capacity} records.
     *
     * @param record the record
     * @param capacity the most records the ring may hold; {@link Integer#MAX_VALUE} for as many as fit
     * @param waiter how to wait for the lock
     * @return whether it was appended; false if it did not fit or the waiter's deadline passed
     * @throws InterruptedException if interrupted while waiting for the lock
     */
    boolean offer(byte[] record, int capacity, Waiter waiter) throws InterruptedException {
        if (!lock(waiter)) {
            return false;
        }
        try {
            if ((capacity == Integer.MAX_VALUE || count() < capacity) && fits(record.length)) {
                append(record);
                return true;
            }
            return false;
        } finally {
            unlock();
        }
    }

    /** Whether there is a record to read; read without the lock. */
    boolean hasRecord() {
        return segment.getLong(base + TAIL) != segment.getLong(base + HEAD);
    }

    /** How many records there are; read without the lock. */
    int count() {
        return (int) Math.max(0, segment.getLong(base + COUNT));
    }

    /** Whether {@code bytes} more fit now; under the lock. */
    boolean fits(int bytes) {
        long used = segment.getLong(base + TAIL) - segment.getLong(base + HEAD);
        return size - used >= LENGTH_BYTES + (long) bytes;
    }

    /** Appends a record that {@linkplain #fits fits}; under the lock. */
    void append(byte[] record) {
        long tail = segment.getLong(base + TAIL);
        byte[] length = ByteBuffer.allocate(LENGTH_BYTES).putInt(record.length).array();
        copyIn(tail, length);
        copyIn(tail + LENGTH_BYTES, record);
        segment.putLongRelease(base + TAIL, tail + LENGTH_BYTES + record.length);
        segment.getAndAdd(base + COUNT, 1);
    }

    /** Removes the first record, or returns null if there is none; under the lock. */
    byte[] removeFirst() {
        long head = segment.getLong(base + HEAD);
        if (head == segment.getLong(base + TAIL)) {
            return null;
        }
        byte[] length = new byte[LENGTH_BYTES];
        copyOut(head, length);
        byte[] record = new byte[ByteBuffer.wrap(length).getInt()];
        copyOut(head + LENGTH_BYTES, record);
        segment.putLongRelease(base + HEAD, head + LENGTH_BYTES + record.length);
        segment.getAndAdd(base + COUNT, -1);
        return record;
    }

    private void copyIn(long position, byte[] bytes) {
        ByteBuffer raw = segment.raw();
        int at = (int) (position % size);
        int first = Math.min(bytes.length, size - at);
        raw.put(data + at, bytes, 0, first);
        raw.put(data, bytes, first, bytes.length - first);
    }

    private void copyOut(long position, byte[] bytes) {
        ByteBuffer raw = segment.raw();
        int at = (int) (position % size);
        int first = Math.min(bytes.length, size - at);
        raw.get(data + at, bytes, 0, first);
        raw.get(data, bytes, first, bytes.length - first);
    }
}
