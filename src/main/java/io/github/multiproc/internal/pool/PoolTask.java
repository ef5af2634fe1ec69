package io.github.multiproc.internal.pool;

import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.task.TaskPayload;
import java.util.concurrent.CompletableFuture;

/**
 * One unit of work in a pool: what to send, and the future its caller holds. The engine's lock guards
 * {@link #worker} and {@link #startNanos}.
 */
final class PoolTask {
    final long id;
    final TaskCall call;
    private String description;
    final TaskFuture<Object> future;
    /** The worker it was sent to, while in flight. */
    Worker worker;
    /** When it was sent to its worker. */
    long sentNanos;
    /** Its future is only waited on inside the library (blocking apply): it may be completed on any pool thread. */
    boolean direct;
    /** Set when the engine itself ended it (timeout), so that the worker's death does not fail it again. */
    boolean endedByPool;
    private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Claims the right to decide the task's outcome: true once, for whoever comes first (answer, failure, cancel,
     * terminate), so that the pool's counters are updated before the future completes, and exactly once.
     */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    PoolTask(long id, TaskCall call, PoolEngine engine, Object owner) {
        this.id = id;
        this.call = call;
        this.future = new TaskFuture<>(engine, this, owner);
    }

    /** Names the task for messages; computed on first use, since it takes reflection. */
    synchronized String description() {
        if (description == null) {
            description = TaskPayload.describe(call);
        }
        return description;
    }

    /** A future whose cancellation reaches the pool: a queued task is removed, a running one's worker killed. */
    static final class TaskFuture<T> extends CompletableFuture<T> {
        private final PoolEngine engine;
        private final PoolTask task;
        /** Keeps the pool reachable while its futures are. */
        @SuppressWarnings("unused")
        private final Object owner;

        TaskFuture(PoolEngine engine, PoolTask task, Object owner) {
            this.engine = engine;
            this.task = task;
            this.owner = owner;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (!task.settle()) {
                return isCancelled();
            }
            engine.cancelled(task, mayInterruptIfRunning);
            return super.cancel(mayInterruptIfRunning);
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
