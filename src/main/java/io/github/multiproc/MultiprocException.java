package io.github.multiproc;

/**
 * The root of the exceptions this library throws for failures of children and pools.
 *
 * <p>Also thrown as is when a child cannot be started at all (a missing program, an unusable directory); the cause is
 * then the {@link java.io.IOException} that {@link ProcessBuilder#start()} threw. And when the state directory
 * ({@code multiproc.stateDir}) cannot be created, or belongs to another user.
 *
 * <p>Thread safety: immutable once thrown.
 */
public class MultiprocException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, with what a user needs to act on it
     */
    public MultiprocException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, with what a user needs to act on it
     * @param cause the underlying failure
     */
    public MultiprocException(String message, Throwable cause) {
        super(message, cause);
    }
}
