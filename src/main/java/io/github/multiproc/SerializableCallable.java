package io.github.multiproc;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A task with a result that can be sent to another JVM: a {@link Callable} that is {@link Serializable}.
 *
 * <p>A lambda written where this type is expected is serializable when everything it captures is. The result must be
 * serializable too (or {@code null}): it travels back to the parent.
 *
 * <p>Thread safety: each submission is deserialized into a copy of its own in the child JVM or pool worker, which
 * calls it once, on its main thread; the instance in this JVM is only serialized.
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
