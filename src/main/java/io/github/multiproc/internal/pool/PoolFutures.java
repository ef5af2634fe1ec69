package io.github.multiproc.internal.pool;

import io.github.multiproc.MultiprocException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * How a pool's blocking methods wait for a future.
 *
 * <p>Thread safety: stateless.
 */
public final class PoolFutures {
    private PoolFutures() {
    }

    /**
     * Waits for a task's future as the pool's blocking methods do: its value, or its failure thrown unwrapped.
     *
     * @param future the future
     * @param <R> the value's type
     * @return the value
     * @throws CancellationException if the task was cancelled, or this thread interrupted (the future is then
     *     cancelled and the interrupt flag set again)
     * @throws RuntimeException the task's failure, as the pool reported it
     */
    public static <R> R await(CompletableFuture<R> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the task");
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e.getCause());
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new MultiprocException(cause.toString(), cause);
        }
    }

    /** The failure inside completion and execution wrappers. */
    static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
