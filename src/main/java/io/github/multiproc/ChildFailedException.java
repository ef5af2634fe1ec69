package io.github.multiproc;

/**
 * The task threw in the child: {@link #getCause()} is the task's own exception, of its own class, with the stack
 * trace it had in the child.
 *
 * <p>Also thrown when the task could not be deserialized in the child (the cause is then the
 * {@link ClassNotFoundException} or other error the child met) or when its result could not be serialized back (the
 * cause is then a {@link java.io.NotSerializableException} naming the class).
 *
 * <p>Thread safety: immutable once thrown.
 */
public class ChildFailedException extends MultiprocException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the child, its pid and what failed
     * @param cause the task's own exception
     */
    public ChildFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
