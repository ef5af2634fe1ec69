package io.github.multiproc;

import io.github.multiproc.internal.TaskCall;
import java.util.ArrayList;
import java.util.List;

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

    /** A function applied to one argument. */
    static final class Apply implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableFunction<Object, Object> fn;
        /** Its argument. */
        private final Object arg;

        @SuppressWarnings("unchecked")
        Apply(SerializableFunction<?, ?> fn, Object arg) {
            this.fn = (SerializableFunction<Object, Object>) fn;
            this.arg = arg;
        }

        @Override
        public Object call() throws Exception {
            return fn.apply(arg);
        }
    }

    /** A function applied to each item of a chunk, in order; the value is the list of results. */
    static final class Chunk implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableFunction<Object, Object> fn;
        /** The chunk's items. */
        private final ArrayList<Object> items;

        @SuppressWarnings("unchecked")
        Chunk(SerializableFunction<?, ?> fn, List<?> items) {
            this.fn = (SerializableFunction<Object, Object>) fn;
            this.items = new ArrayList<>(items);
        }

        @Override
        public Object call() throws Exception {
            ArrayList<Object> results = new ArrayList<>(items.size());
            for (Object item : items) {
                results.add(fn.apply(item));
            }
            return results;
        }
    }

    /** A pair for starmap: {@code Map.entry} values are not serializable. */
    record Pair(Object first, Object second) implements java.io.Serializable {
    }

    /** A two-argument function applied to each pair of a chunk. */
    static final class StarChunk implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableBiFunction<Object, Object, Object> fn;
        /** The chunk's pairs. */
        private final ArrayList<Pair> pairs;

        @SuppressWarnings("unchecked")
        StarChunk(SerializableBiFunction<?, ?, ?> fn, List<Pair> pairs) {
            this.fn = (SerializableBiFunction<Object, Object, Object>) fn;
            this.pairs = new ArrayList<>(pairs);
        }

        @Override
        public Object call() throws Exception {
            ArrayList<Object> results = new ArrayList<>(pairs.size());
            for (Pair p : pairs) {
                results.add(fn.apply(p.first(), p.second()));
            }
            return results;
        }
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
