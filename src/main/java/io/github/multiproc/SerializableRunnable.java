package io.github.multiproc;

import java.io.Serializable;

/**
 * A task without a result that can be sent to another JVM: a {@link Runnable} that is {@link Serializable} and may
 * throw checked exceptions.
 *
 * <p>A lambda written where this type is expected is serializable when everything it captures is. A named class
 * implementing it, with fields, is the Java form of Python's "subclass {@code Process} and override {@code run()}".
 *
 * <p>Thread safety: instances are run once per child, on the child's main thread.
 */
@FunctionalInterface
public interface SerializableRunnable extends Serializable {
    /**
     * Runs the task.
     *
     * @throws Exception anything; it reaches the parent as the cause of a {@link ChildFailedException}
     */
    void run() throws Exception;
}
