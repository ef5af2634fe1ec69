package io.github.multiproc;

import io.github.multiproc.internal.ipc.SharedLock;
import io.github.multiproc.internal.runtime.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * A lock held by one process at a time, Python's {@code multiprocessing.Lock}, except that it is released when its
 * holder's process dies: made in one JVM, it travels with the tasks that capture it.
 *
 * <pre>{@code
 * lock.lock();
 * try {
 *     counter.set(0, counter.get(0) + 1);
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <p>The holder is a process, not a thread (as in Python, where any thread may release a {@code Lock}); it is not
 * reentrant: a second {@code lock()} in the holding process waits. The lock's word in shared memory names the
 * holder's pid and start, and a waiter that finds the holder gone takes the lock over within about a second. An
 * uncontended {@code lock()} and {@code unlock()} are one atomic instruction each. The lock is freed when its
 * creator exits; after a SIGKILL, by {@link Fork#reapOrphans()}.
 *
 * <p>Memory consistency effects: actions before {@code unlock()} happen-before the actions after a later
 * {@code lock()} that takes it, in whatever process.
 *
 * <p>Thread safety: safe for concurrent use by any number of threads in any number of processes.
 */
public final class ProcessLock implements Serializable {
    private static final long serialVersionUID = 1L;

    /** @serial the lock word and how to reach it: its segment file, mapped on first use. */
    private final SharedLock lock;

    private ProcessLock() {
        this.lock = new SharedLock(Settings.stateDir());
    }

    /**
     * Makes an unlocked lock.
     *
     * @return the lock, owned by this JVM
     * @throws IllegalStateException if its shared memory cannot be made
     */
    public static ProcessLock create() {
        return new ProcessLock();
    }

    /**
     * Takes the lock for this process, waiting as long as another process (or thread of this one) holds it.
     *
     * @throws IllegalStateException if its creator ended
     * @throws InterruptedException if interrupted while waiting
     */
    public void lock() throws InterruptedException {
        lock.lock(null);
    }

    /**
     * Takes the lock for this process, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait at most
     * @return whether this process holds it now
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if its creator ended
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        return lock.lock(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Releases the lock.
     *
     * @throws IllegalMonitorStateException unless this process holds it
     * @throws IllegalStateException if its creator ended
     */
    public void unlock() {
        lock.unlock();
    }

    /**
     * Returns a description of the lock, naming its shared-memory file.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return lock.toString();
    }
}
