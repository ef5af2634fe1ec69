package io.github.multiproc.internal.ipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The engine of {@code ProcessEvent}: one word of a segment, 1 when set; waiters poll it as {@link Waiter} says.
 *
 * <p>Thread safety: safe for concurrent use, from any number of threads in any number of processes.
 */
public final class SharedEvent extends SharedObject {
    private static final long serialVersionUID = 1L;
    private static final int FLAG = Segment.HEADER;

    /**
     * Makes a cleared event in this JVM.
     *
     * @param stateDir the state directory, where it goes if there is no {@code /dev/shm}
     */
    public SharedEvent(Path stateDir) {
        super(Segment.Kind.EVENT, 8, "ProcessEvent", stateDir);
    }

    /** Sets the event. */
    public void set() {
        segment().putLong(FLAG, 1);
    }

    /** Clears the event. */
    public void clear() {
        segment().putLong(FLAG, 0);
    }

    /**
     * Returns whether the event is set.
     *
     * @return whether it is
     */
    public boolean isSet() {
        return segment().getLong(FLAG) != 0;
    }

    /**
     * Waits until the event is set.
     *
     * @param timeout how long to wait at most; null for ever
     * @return false if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        Segment segment = segment();
        Waiter waiter = timeout == null ? Waiter.forever() : Waiter.upTo(timeout);
        while (segment.getLong(FLAG) == 0) {
            segment.checkOpen();
            if (!waiter.pause()) {
                return false;
            }
        }
        return true;
    }
}
