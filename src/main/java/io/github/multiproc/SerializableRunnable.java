package io.github.multiproc;

import java.io.Serializable;

/**
 * A task without a result that can be sent to another JVM: a {@link Runnable} that is {@link Serializable} and may
 * throw checked exceptions.
 *
 * <p>A lambda written where this type is expected is serializable when everything it captures is. A named class
 * implementing it, with fields, is the Java form of Python's "subclass {@code Process} and override {@code run()}".
 *
 * <p>Thread safety: each child JVM or pool worker that receives it deserializes a copy of its own and runs it once, on
 * its main thread (a pool's initializer runs once in every worker); the instance in this JVM is only serialized.
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
