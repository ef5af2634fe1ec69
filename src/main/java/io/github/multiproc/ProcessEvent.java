package io.github.multiproc;

import io.github.multiproc.internal.ipc.SharedEvent;
import io.github.multiproc.internal.runtime.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * A flag that processes set, clear and wait for, Python's {@code multiprocessing.Event}: made in one JVM, it
 * travels with the tasks that capture it.
 *
 * <pre>{@code
 * ProcessEvent ready = ProcessEvent.create();
 * Fork.run(() -> ready.set());
 * ready.await();
 * }</pre>
 *
 * <p>A waiter sees a {@link #set()} within a millisecond (at once if it has just begun to wait), and the end of the
 * event's creator within about a second: it then throws {@link IllegalStateException}. The event is freed when its
 * creator exits; after a SIGKILL, by {@link Fork#reapOrphans()}.
 *
 * <p>Memory consistency effects: actions in a thread before it calls {@code set()} happen-before the actions after
 * an {@code await} returns that sees it set, in whatever process.
 *
 * <p>Thread safety: safe for concurrent use by any number of threads in any number of processes.
 */
public final class ProcessEvent implements Serializable {
    private static final long serialVersionUID = 1L;

    /** @serial the shared word and how to reach it: its segment file, mapped on first use. */
    private final SharedEvent event;

    private ProcessEvent() {
        this.event = new SharedEvent(Settings.stateDir());
    }

    /**
     * Makes a cleared event.
     *
     * @return the event, owned by this JVM
     * @throws IllegalStateException if its shared memory cannot be made
     */
    public static ProcessEvent create() {
        return new ProcessEvent();
    }

    /**
     * Sets the event: waiters return, and later waits return at once until it is cleared.
     *
     * @throws IllegalStateException if its creator ended
     */
    public void set() {
        event.set();
    }

    /**
     * Clears the event.
     *
     * @throws IllegalStateException if its creator ended
     */
    public void clear() {
        event.clear();
    }

    /**
     * Returns whether the event is set.
     *
     * @return whether it is
     * @throws IllegalStateException if its creator ended
     */
    public boolean isSet() {
        return event.isSet();
    }

    /**
     * Waits until the event is set ({@code Event.wait()}).
     *
     * @throws IllegalStateException if its creator ended
     * @throws InterruptedException if interrupted while waiting
     */
    public void await() throws InterruptedException {
        event.await(null);
    }

    /**
     * Waits up to {@code timeout} until the event is set.
     *
     * @param timeout how long to wait at most
     * @return whether it is set; false on timeout
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if its creator ended
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return event.await(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Returns a description of the event, naming its shared-memory file.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return event.toString();
    }
}
