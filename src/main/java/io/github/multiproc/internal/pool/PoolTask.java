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
    /**
     * Its caller's future, whose cancellation reaches the pool: a queued task is removed, and one that a worker was
     * sent is ended there by {@code cancel(true)} (see {@link TaskEnds#cancel}).
     */
    final TakeBackFuture<Object> future;
    /** The worker it was sent to, while in flight. */
    Worker worker;
    /** When it was sent to its worker. */
    long sentNanos;
    /** How long it may run, if not the pool's task timeout; set before it is queued. */
    java.time.Duration timeout;
    /** Its future is only waited on inside the library (blocking apply): it may be completed on any pool thread. */
    boolean direct;
    /**
     * Set when the pool itself ended it (cancel, timeout, terminate), so that its worker's death does not fail it
     * again; guarded by the engine's lock.
     */
    boolean endedByPool;
    private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Claims the right to decide the task's outcome: true once, for whoever comes first (answer, failure, cancel,
     * terminate), so that the pool's counters are updated before the future completes, and exactly once.
     */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /**
     * Set by a {@code cancel(true)} that told the task's worker to end it, and completed once the worker has had its
     * word: the task's answer (skipped, or done meanwhile), or the worker's end.
     */
    volatile CompletableFuture<Void> endedOnWorker;
    /** Its worker said it will not run it (guarded by the engine's lock). */
    boolean cancelAcknowledged;

    /** The worker will not run this task (any more): wakes a {@code cancel(true)} that waits for that. */
    void workerDone() {
        CompletableFuture<Void> ended = endedOnWorker;
        if (ended != null) {
            ended.complete(null);
        }
    }

    /** Whether its outcome is decided, perhaps not yet published in its future. */
    boolean isSettled() {
        return settled.get();
    }

    PoolTask(long id, TaskCall call, PoolEngine engine, Object owner) {
        this.id = id;
        this.call = call;
        this.future = new TakeBackFuture<>(mayInterrupt -> engine.cancel(this, mayInterrupt), owner);
    }

    /** Names the task for messages; computed on first use, since it takes reflection. */
    synchronized String description() {
        if (description == null) {
            description = TaskPayload.describe(call);
        }
        return description;
    }
}
