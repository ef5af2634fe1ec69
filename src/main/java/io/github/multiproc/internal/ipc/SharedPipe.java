package io.github.multiproc.internal.ipc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The engine of {@code Pipe}: two {@link ByteRing}s in one segment, one for each direction, and for each end the
 * word of the process that last used it and whether that process closed it. An end's {@code receive} gives up once
 * the other end's process closed it or died and nothing is left to read; its {@code send} gives up at once then.
 *
 * <p>Thread safety: safe for concurrent use; each end is meant for one process at a time.
 */
public final class SharedPipe extends SharedObject {
    private static final long serialVersionUID = 1L;
    /** The bytes of encoded messages each direction holds at once. */
    public static final int RING_BYTES = 1 << 20;
    private static final String NAME = "Pipe";
    private static final int USER = Segment.HEADER;
    private static final int CLOSED = Segment.HEADER + 16;
    /** For each end, the process whose thread sleeps on the end's {@link Doorbell}, or 0. */
    static final int SLEEPER = Segment.HEADER + 32;
    private static final int RINGS = Segment.HEADER + 64;

    /** When {@link #send} in this JVM last looked at the other end's process ({@code System.nanoTime()}). */
    private transient long lastPeerCheck;
    /** This JVM's doorbells of the two ends, made on first use. */
    private transient volatile Doorbell[] bells;
    /**
     * For each end, whether this JVM sent from it since it last received there: one that sent waits for an answer,
     * and sleeps on its doorbell; an end that only receives reads a stream, whose next message is likely microseconds
     * away, and waits as other waiters do (spin, yield, park): sleeping each time it caught up would cost the sender a
     * write for each message.
     */
    private transient volatile boolean[] sentSinceReceive;

    /**
     * Makes a pipe in this JVM.
     *
     * @param stateDir the state directory, where it goes if there is no {@code /dev/shm}
     */
    public SharedPipe(Path stateDir) {
        super(Segment.Kind.PIPE, 64 + 2 * ByteRing.footprint(RING_BYTES), NAME, stateDir);
        Path file = segment().path();
        Doorbell.makeInBackground(file, Doorbell.fifoOf(file, 0), Doorbell.fifoOf(file, 1));
    }

    private void sent(int end, boolean sent) {
        boolean[] s = sentSinceReceive;
        if (s == null) {
            s = new boolean[2];
            sentSinceReceive = s;
        }
        if (s[end] != sent) {
            s[end] = sent;
        }
    }

    private boolean sentSince(int end) {
        boolean[] s = sentSinceReceive;
        return s != null && s[end];
    }

    /** The doorbell a receiver at {@code end} sleeps on. */
    private Doorbell bell(Segment segment, int end) {
        Doorbell[] b = bells;
        if (b == null) {
            synchronized (this) {
                b = bells;
                if (b == null) {
                    b = new Doorbell[2];
                    for (int e = 0; e < 2; e++) {
                        b[e] = new Doorbell(segment, SLEEPER + 8 * e, Doorbell.fifoOf(segment.path(), e));
                    }
                    bells = b;
                }
            }
        }
        return b[end];
    }

    /** The ring that {@code end} writes and the other end reads. */
    private static ByteRing ringOf(Segment segment, int end) {
        return new ByteRing(segment, (int) (RINGS + end * ByteRing.footprint(RING_BYTES)), RING_BYTES);
    }

    /** Maps the segment and records this process as the user of {@code end}. */
    private Segment use(int end) {
        Segment segment = segment();
        if (segment.getLong(USER + 8 * end) != ThisProcess.WORD) {
            segment.putLong(USER + 8 * end, ThisProcess.WORD);
        }
        return segment;
    }

    /** Why the other end of {@code end} is gone, or null if it is not; looks at its process only if asked to. */
    private static String peerGone(Segment segment, int end, boolean lookAtProcess) {
        int peer = 1 - end;
        if (segment.getLong(CLOSED + 8 * peer) != 0) {
            return "the other end is closed";
        }
        if (lookAtProcess) {
            long user = segment.getLong(USER + 8 * peer);
            if (user != 0 && ThisProcess.gone(user)) {
                return "the process using the other end (pid " + ThisProcess.pidOf(user) + ") ended";
            }
        }
        return null;
    }

    /**
     * Sends a message from {@code end}.
     *
     * @param end 0 for the first end, 1 for the second
     * @param message the message
     * @throws IllegalArgumentException if it cannot be serialized, or is larger than the pipe holds
     * @throws IllegalStateException if the pipe or the other end is closed, or its process ended
     */
    public void send(int end, Object message) {
        byte[] bytes = ItemCodec.encode(message, "a " + NAME);
        Segment segment = use(end);
        ByteRing ring = ringOf(segment, end);
        if (bytes.length > ring.maxRecord()) {
            throw new IllegalArgumentException("cannot send a " + message.getClass().getName() + " through a "
                    + NAME + ": serialized it takes " + bytes.length + " bytes, more than its " + ring.maxRecord());
        }
        long now = System.nanoTime();
        boolean look = now - lastPeerCheck > 20_000_000L;
        if (look) {
            lastPeerCheck = now;
        }
        Waiter waiter = Waiter.uninterruptibly();
        try {
            while (true) {
                String gone = peerGone(segment, end, look);
                if (gone != null) {
                    throw new IllegalStateException("cannot send through a " + NAME + ": " + gone);
                }
                if (ring.offer(bytes, Integer.MAX_VALUE, waiter)) {
                    sent(end, true);
                    bell(segment, 1 - end).ring();
                    return;
                }
                segment.checkOpen();
                look = waiter.checkDue();
                waiter.pause();
            }
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible wait was interrupted", e);
        } finally {
            waiter.done();
        }
    }

    /**
     * Receives the next message at {@code end}.
     *
     * @param end 0 for the first end, 1 for the second
     * @param timeout how long to wait at most; null for ever
     * @return the message, or empty after the timeout
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if nothing is left and the other end is closed or its process ended, or the
     *     pipe is closed
     */
    public Optional<Object> receive(int end, Duration timeout) throws InterruptedException {
        Segment segment = use(end);
        ByteRing ring = ringOf(segment, 1 - end);
        Waiter waiter = timeout == null ? Waiter.forever() : Waiter.upTo(timeout);
        Doorbell bell = bell(segment, end);
        while (true) {
            byte[] bytes = ring.hasRecord() ? ring.take(waiter) : null;
            if (bytes != null) {
                sent(end, false);
                return Optional.of(ItemCodec.decode(bytes, "a " + NAME));
            }
            segment.checkOpen();
            String gone = peerGone(segment, end, waiter.checkDue());
            if (gone != null && !ring.hasRecord()) {
                throw new IllegalStateException("nothing left to receive from a " + NAME + ": " + gone);
            }
            if (sentSince(end) && waiter.sleepDue()) {
                long nanos = waiter.sleepNanos();
                if (nanos < 0) {
                    return Optional.empty();
                }
                if (nanos > 0 && bell.sleep(ring::hasRecord, nanos)) {
                    continue;
                }
            }
            if (!waiter.pause()) {
                return Optional.empty();
            }
        }
    }

    /**
     * Closes {@code end} in this JVM; if this process was its last user, the other end sees it closed. When both ends
     * are closed so, the pipe's file is deleted.
     *
     * @param end 0 for the first end, 1 for the second
     * @param everUsedHere whether this JVM used the end (an end never used maps nothing)
     */
    public void close(int end, boolean everUsedHere) {
        if (!everUsedHere) {
            return;
        }
        Segment segment;
        try {
            segment = segment();
        } catch (IllegalStateException e) {
            return; // closed by its creator, or the creator ended: nothing left to tell
        }
        Doorbell[] b = bells;
        if (b != null) {
            b[end].close();
        }
        if (segment.getLong(USER + 8 * end) == ThisProcess.WORD) {
            segment.putLong(CLOSED + 8 * end, 1);
            Doorbell other = bell(segment, 1 - end);
            other.ring(); // a receiver asleep at the other end sees it at once
            other.hangUp();
            if (segment.getLong(CLOSED + 8 * (1 - end)) != 0) {
                close();
                SegmentFiles.deleteWithBells(segment.path());
            }
        }
    }
}
