package io.github.multiproc.internal.cluster;

import java.util.concurrent.CompletableFuture;
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
    final PartFuture future;
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
        this.future = new PartFuture(scheduler, this, owner);
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

    /** A future whose cancellation reaches the scheduler, and through it the node. */
    static final class PartFuture extends CompletableFuture<Object> {
        private final Scheduler scheduler;
        private final Part part;
        /** Keeps the pool reachable while its futures are. */
        @SuppressWarnings("unused")
        private final Object owner;

        PartFuture(Scheduler scheduler, Part part, Object owner) {
            this.scheduler = scheduler;
            this.part = part;
            this.owner = owner;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (!scheduler.cancel(part, mayInterruptIfRunning)) {
                return isCancelled();
            }
            return super.cancel(mayInterruptIfRunning);
        }

        /** Cancels it without asking the scheduler, which has decided so. */
        void completeCancelled() {
            super.cancel(false);
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
