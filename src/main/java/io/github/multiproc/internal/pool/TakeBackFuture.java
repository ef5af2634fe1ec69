package io.github.multiproc.internal.pool;

import java.util.concurrent.CompletableFuture;

/**
 * The future a pool's caller holds: its {@code cancel} asks whoever queued the task (a local pool's engine, a
 * cluster's scheduler) to take the task back, and cancels only if it did; once {@code cancel} has returned true, the
 * task never starts. Its dependents are plain futures.
 *
 * <p>Thread safety: as {@link CompletableFuture}.
 *
 * @param <T> the task's result type
 */
public final class TakeBackFuture<T> extends CompletableFuture<T> {
    /** Takes a task back from where it waits or runs. */
    @FunctionalInterface
    public interface TakeBack {
        /**
         * Tries to take the task back.
         *
         * @param mayInterrupt whether a task already handed out may be ended
         * @return whether it was taken back (then it never starts)
         */
        boolean takeBack(boolean mayInterrupt);
    }

    private final TakeBack takeBack;
    /** Keeps the pool reachable while its futures are. */
    @SuppressWarnings("unused")
    private final Object owner;

    /**
     * Creates the future.
     *
     * @param takeBack what {@code cancel} asks
     * @param owner the pool facade, kept reachable by the future
     */
    public TakeBackFuture(TakeBack takeBack, Object owner) {
        this.takeBack = takeBack;
        this.owner = owner;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!takeBack.takeBack(mayInterruptIfRunning)) {
            return isCancelled();
        }
        return super.cancel(mayInterruptIfRunning);
    }

    /** Cancels it without asking: whoever queued the task has decided so. */
    public void completeCancelled() {
        super.cancel(false);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
