package io.github.multiproc;

import io.github.multiproc.internal.TaskCall;

/** Adapts the user's task types to the one shape the child runs. */
final class Calls {
    private Calls() {
    }

    static TaskCall of(Object task) {
        if (task instanceof SerializableCallable) {
            return new OfCallable((SerializableCallable<?>) task);
        }
        if (task instanceof SerializableRunnable) {
            return new OfRunnable((SerializableRunnable) task);
        }
        throw new IllegalArgumentException("not a task: " + task.getClass().getName());
    }

    /** The user's callable. */
    static final class OfCallable implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's task. */
        private final SerializableCallable<?> task;

        OfCallable(SerializableCallable<?> task) {
            this.task = task;
        }

        @Override
        public Object call() throws Exception {
            return task.call();
        }
    }

    /** The user's runnable; its value is null. */
    static final class OfRunnable implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's task. */
        private final SerializableRunnable task;

        OfRunnable(SerializableRunnable task) {
            this.task = task;
        }

        @Override
        public Object call() throws Exception {
            task.run();
            return null;
        }
    }
}
