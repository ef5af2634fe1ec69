package io.github.multiproc;

/**
 * A task (or its argument) cannot be serialized, so it cannot be sent to another JVM. Thrown by the submitting call
 * itself, before any process starts. The message names the class that is not serializable and, where it can be found,
 * the path of fields that leads to it from the task, for example
 * {@code task com.example.Main$$Lambda$14 -> captured arg 0 -> field 'socket' (java.net.Socket) is not serializable}.
 *
 * <p>Thread safety: immutable once thrown.
 */
public class NotSerializableTaskException extends MultiprocException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the class and the field path
     * @param cause the serialization failure
     */
    public NotSerializableTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
