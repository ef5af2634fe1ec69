package io.github.multiproc.internal.ipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The engine of {@code ProcessLock}: a {@link LockWord} in a segment of its own.
 *
 * <p>Thread safety: safe for concurrent use, from any number of threads in any number of processes.
 */
public final class SharedLock extends SharedObject {
    private static final long serialVersionUID = 1L;
    private static final int WORD = Segment.HEADER;

    /**
     * Makes an unlocked lock in this JVM.
     *
     * @param stateDir the state directory, where it goes if there is no {@code /dev/shm}
     */
    public SharedLock(Path stateDir) {
        super(Segment.Kind.LOCK, 8, "ProcessLock", stateDir);
        // closed by its creator (close() or this JVM's exit), the lock is marked closed, then its word poisoned
        mapped().poisonOnClose(WORD, LockWord.POISON);
    }

    /**
     * Takes the lock for this process.
     *
     * @param timeout how long to wait at most; null for ever
     * @return false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean lock(Duration timeout) throws InterruptedException {
        Segment segment = mapped();
        segment.checkUsableHere(); // the closed mark need not be read: a closed lock's word is poisoned
        if (segment.compareAndSet(WORD, 0, ThisProcess.WORD)) {
            return true; // uncontended: no waiter to make
        }
        return LockWord.lock(segment, WORD, timeout == null ? Waiter.forever() : Waiter.upTo(timeout));
    }

    /**
     * Releases the lock.
     *
     * @throws IllegalMonitorStateException if this process does not hold it
     * @throws IllegalStateException if the lock was closed
     */
    public void unlock() {
        Segment segment = mapped();
        segment.checkUsableHere();
        LockWord.unlock(segment, WORD);
    }
}
