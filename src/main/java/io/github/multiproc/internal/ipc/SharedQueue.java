package io.github.multiproc.internal.ipc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The engine of {@code ProcessQueue}: a {@link ByteRing} in a segment, its items encoded by {@link ItemCodec}
 * before the ring's lock is taken. A bounded queue also counts its items against its capacity.
 *
 * <p>Thread safety: safe for concurrent use, from any number of threads in any number of processes.
 */
public final class SharedQueue extends SharedObject {
    private static final long serialVersionUID = 1L;
    /** The bytes of encoded items a queue holds at once. */
    public static final int RING_BYTES = 4 << 20;
    private static final String NAME = "ProcessQueue";

    private final int capacity;

    /**
     * Makes a queue in this JVM.
     *
     * @param capacity the most items it holds, or {@link Integer#MAX_VALUE} for as many as fit in its ring
     * @param stateDir the state directory, where it goes if there is no {@code /dev/shm}
     */
    public SharedQueue(int capacity, Path stateDir) {
        super(Segment.Kind.QUEUE, ByteRing.footprint(RING_BYTES), NAME, stateDir);
        this.capacity = capacity;
    }

    private ByteRing ring(Segment segment) {
        return new ByteRing(segment, Segment.HEADER, RING_BYTES);
    }

    /**
     * Puts an item, waiting while the queue is full.
     *
     * @param item the item
     * @param waiter how long to wait
     * @return false if the waiter's deadline passed before there was room
     * @throws InterruptedException if interrupted while waiting
     */
    private boolean put(Object item, Waiter waiter) throws InterruptedException {
        byte[] bytes = ItemCodec.encode(item, "a " + NAME);
        ByteRing ring = ring(segment());
        if (bytes.length > ring.maxRecord()) {
            throw new IllegalArgumentException("cannot put a " + item.getClass().getName() + " into a " + NAME
                    + ": serialized it takes " + bytes.length + " bytes, more than the queue's " + ring.maxRecord());
        }
        while (!ring.offer(bytes, capacity, waiter)) {
            segment().checkOpen();
            if (!waiter.pause()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Puts an item, waiting as long as the queue is full.
     *
     * @param item the item
     * @throws InterruptedException if interrupted while waiting
     */
    public void put(Object item) throws InterruptedException {
        put(item, Waiter.forever());
    }

    /**
     * Puts an item, waiting up to {@code timeout} while the queue is full.
     *
     * @param item the item
     * @param timeout how long to wait at most
     * @return whether it was put
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean offer(Object item, Duration timeout) throws InterruptedException {
        return put(item, Waiter.upTo(timeout));
    }

    /**
     * Takes the first item, waiting up to the waiter's deadline for one.
     *
     * @param waiter how long to wait
     * @return the item, or empty after the deadline
     * @throws InterruptedException if interrupted while waiting
     */
    private Optional<Object> take(Waiter waiter) throws InterruptedException {
        Segment segment = segment();
        ByteRing ring = ring(segment);
        while (true) {
            byte[] bytes = ring.hasRecord() ? ring.take(waiter) : null;
            if (bytes != null) {
                return Optional.ofNullable(ItemCodec.decode(bytes, "a " + NAME));
            }
            segment.checkOpen();
            if (!waiter.pause()) {
                return Optional.empty();
            }
        }
    }

    /**
     * Takes the first item, waiting as long as there is none.
     *
     * @return the item
     * @throws InterruptedException if interrupted while waiting
     */
    public Object take() throws InterruptedException {
        return take(Waiter.forever()).orElse(null);
    }

    /**
     * Takes the first item, waiting up to {@code timeout} for one.
     *
     * @param timeout how long to wait at most
     * @return the item, or empty after the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<Object> poll(Duration timeout) throws InterruptedException {
        return take(Waiter.upTo(timeout));
    }

    /**
     * Returns how many items the queue holds now.
     *
     * @return the count
     */
    public int size() {
        return ring(segment()).count();
    }
}
