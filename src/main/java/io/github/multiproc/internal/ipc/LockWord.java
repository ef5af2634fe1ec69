package io.github.multiproc.internal.ipc;

/**
 * A lock in one word of a segment: 0 when free, else the word of the process that holds it (see
 * {@link ThisProcess}). A waiter that finds the holder gone takes the lock over, so a process that dies holding it
 * does not lock the others out.
 */
final class LockWord {
    /**
     * What a closed lock's word holds, written by its creator's {@code close()} after the segment's closed mark: no
     * process's word (a pid of 2^32 - 1), so that taking and releasing it fail on the word alone, and the fast paths
     * need not read the closed mark first. Never taken over as a dead holder's.
     */
    static final long POISON = -1L;

    private LockWord() {
    }

    /**
     * Takes the lock for this process.
     *
     * @param segment where the word is
     * @param offset its offset
     * @param waiter how to wait
     * @return false if the waiter's deadline passed first
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the segment is closed meanwhile
     */
    static boolean lock(Segment segment, int offset, Waiter waiter) throws InterruptedException {
        long me = ThisProcess.WORD;
        if (segment.compareAndSet(offset, 0, me)) {
            return true;
        }
        while (true) {
            segment.checkOpen();
            long holder = segment.getLong(offset);
            if (holder == POISON) {
                throw closed(segment);
            }
            if (holder == 0) {
                if (segment.compareAndSet(offset, 0, me)) {
                    return true;
                }
            } else if (holder != me && waiter.checkDue() && ThisProcess.gone(holder)) {
                if (segment.compareAndSet(offset, holder, me)) {
                    return true; // its holder died holding it
                }
            } else if (!waiter.pause()) {
                return false;
            }
        }
    }

    /**
     * Releases the lock.
     *
     * @param segment where the word is
     * @param offset its offset
     * @throws IllegalMonitorStateException if this process does not hold it
     */
    static void unlock(Segment segment, int offset) {
        long holder = segment.compareAndExchange(offset, ThisProcess.WORD, 0);
        if (holder == POISON) {
            throw closed(segment);
        }
        if (holder != ThisProcess.WORD) {
            throw new IllegalMonitorStateException("this process (pid " + ThisProcess.PID + ") does not hold "
                    + segment + (holder == 0 ? ": it is not locked" : ": pid " + ThisProcess.pidOf(holder) + " does"));
        }
    }

    /** The exception for a poisoned word: the segment's own, which names who closed it. */
    private static IllegalStateException closed(Segment segment) {
        segment.checkOpen(); // marked closed before the word was poisoned: this throws
        return new IllegalStateException(segment + " was closed by its creator");
    }
}
