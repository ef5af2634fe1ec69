package io.github.multiproc;

import java.io.Serializable;

/**
 * A two-argument function that can be sent to another JVM; may throw checked exceptions.
 *
 * <p>Thread safety: each submission is deserialized into a copy of its own in a pool worker, which calls it on its
 * main thread, one pair after another (every pair of a {@code starmap} chunk); the instance in this JVM is only
 * serialized.
 *
 * @param <T> the first argument type
 * @param <U> the second argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableBiFunction<T, U, R> extends Serializable {
    /**
     * Applies the function.
     *
     * @param t the first argument
     * @param u the second argument
     * @return the result, sent back to the parent
     * @throws Exception anything; it reaches the parent as the cause of a {@link ChildFailedException}
     */
    R apply(T t, U u) throws Exception;
}
