package io.github.multiproc;

import java.io.Serializable;

/**
 * A function that can be sent to another JVM together with its argument; may throw checked exceptions.
 *
 * <p>Thread safety: each submission is deserialized into a copy of its own in a pool worker, which calls it on its
 * main thread, one item after another (for {@code map}, every item of a chunk); the instance in this JVM is only
 * serialized.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {
    /**
     * Applies the function.
     *
     * @param t the argument
     * @return the result, sent back to the parent
     * @throws Exception anything; it reaches the parent as the cause of a {@link ChildFailedException}
     */
    R apply(T t) throws Exception;
}
