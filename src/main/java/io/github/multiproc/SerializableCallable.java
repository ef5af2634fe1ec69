package io.github.multiproc;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task with a result that can be sent to another JVM: a {@link Callable} that is {@link Serializable}.
 *
 * <p>A lambda written where this type is expected is serializable when everything it captures is. The result must be
 * serializable too (or {@code null}): it travels back to the parent.
 *
 * <p>Thread safety: instances are run once per submission, on a thread of the child.
 *
 * @param <V> the result type
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
    /**
     * Computes the result.
     *
     * @return the result, sent back to the parent
     * @throws Exception anything; it reaches the parent as the cause of a {@link ChildFailedException}
     */
    @Override
    V call() throws Exception;
}
