package io.github.multiproc;

import java.time.Duration;

/**
 * A task ran longer than its timeout; the process that ran it was killed (and, in a pool, replaced).
 *
 * <p>Thread safety: immutable once thrown.
 */
public class TaskTimeoutException extends MultiprocException {
    private static final long serialVersionUID = 1L;

    /** The timeout that ran out. */
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param message names the task, the worker and the pool's state
     * @param timeout the timeout that ran out
     */
    public TaskTimeoutException(String message, Duration timeout) {
        super(message);
        this.timeout = timeout;
    }

    /**
     * Returns the timeout that ran out.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }
}
