package io.github.multiproc.internal.cluster;

import io.github.multiproc.internal.pool.TakeBackFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One task of a driver: its bytes, its future, and where it is (queued, or in a batch on a node). The scheduler's
 * lock guards {@link #batch}, {@link #index} and {@link #attempts}.
 */
final class Part {
    final byte[] bytes;
    /** Whether it is a lambda that captures nothing: a worker may run one decoded copy of it every time. */
    final boolean reusable;
    /** The task, to name it in messages (worked out only then: it takes reflection). */
    private final Object task;
    private String description;
    /** Its caller's future, whose cancellation reaches the scheduler, and through it the node. */
    final TakeBackFuture<Object> future;
    /** The batch it was last sent in, while in flight; null while queued. */
    Batch batch;
    /** Its index in that batch. */
    int index;
    /** Times it was dealt again after its node was lost. */
    int attempts;
    private final AtomicBoolean settled = new AtomicBoolean();

    Part(byte[] bytes, boolean reusable, Object task, Scheduler scheduler, Object owner) {
        this.bytes = bytes;
        this.reusable = reusable;
        this.task = task;
        this.future = new TakeBackFuture<>(mayInterrupt -> scheduler.cancel(this, mayInterrupt), owner);
    }

    /** The task's name for messages: its class, or the class and method that wrote a lambda. */
    synchronized String description() {
        if (description == null) {
            description = io.github.multiproc.internal.task.TaskPayload.describe(task);
        }
        return description;
    }

    /** Claims the right to decide its outcome: true once. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    boolean isSettled() {
        return settled.get();
    }
}
