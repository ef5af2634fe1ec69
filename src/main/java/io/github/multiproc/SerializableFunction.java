package io.github.multiproc;

import java.io.Serializable;

/**
 * A function that can be sent to another JVM together with its argument; may throw checked exceptions.
 *
 * <p>Thread safety: the pool may call one deserialized copy from one worker thread at a time.
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
