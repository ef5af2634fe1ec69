package io.github.multiproc.internal.task;

import io.github.multiproc.SerializableBiFunction;
import io.github.multiproc.SerializableCallable;
import io.github.multiproc.SerializableFunction;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.PackedList;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Adapts the user's task types to the one shape the child runs. */
public final class Calls {
    private Calls() {
    }

    /** Immutable JDK types whose serialization cannot fail. */
    private static final java.util.Set<Class<?>> PLAIN_VALUES = java.util.Set.of(Integer.class, Long.class,
            Short.class, Byte.class, Double.class, Float.class, Boolean.class, Character.class, String.class);

    /**
     * Whether {@code call} certainly serializes: a lambda that captures nothing, with no argument or a plain value.
     * Such a task need not be tried at submission (the dispatcher serializes it anyway).
     */
    public static boolean surelySerializable(TaskCall call) {
        if (call instanceof Apply) {
            Apply a = (Apply) call;
            return TaskPayload.capturesNothing(a.fn) && (a.arg == null || PLAIN_VALUES.contains(a.arg.getClass()));
        }
        if (call instanceof Chunk) {
            Chunk c = (Chunk) call;
            return TaskPayload.capturesNothing(c.fn) && c.items instanceof PackedList
                    && ((PackedList) c.items).kind() != PackedList.GENERIC;
        }
        if (call instanceof OfCallable) {
            return TaskPayload.capturesNothing(((OfCallable) call).task);
        }
        if (call instanceof OfRunnable) {
            return TaskPayload.capturesNothing(((OfRunnable) call).task);
        }
        return call instanceof EncodedCall; // bytes, serialized already where the task was submitted
    }

    /**
     * How {@code call} travels as {@link Frame#APPLY_PLAIN}, or null if it cannot: the
     * object a worker keeps by number (a function that captures nothing, or a callable or runnable task that captures
     * nothing, or a reusable {@link EncodedCall}), the key that stands for it (its class: all its instances are the
     * same task; or the encoded task's bytes), and the plain argument.
     */
    public static Object[] plainForm(TaskCall call) {
        if (call instanceof Apply) {
            Apply a = (Apply) call;
            return a.plain() ? new Object[] {a.fn, a.fn.getClass(), a.arg} : null;
        }
        if (call instanceof EncodedCall) {
            Object key = ((EncodedCall) call).reuseKey();
            return key == null ? null : new Object[] {call, key, null};
        }
        Object user = call instanceof OfCallable ? ((OfCallable) call).task
                : call instanceof OfRunnable ? ((OfRunnable) call).task : null;
        return user != null && TaskPayload.capturesNothing(user) ? new Object[] {call, user.getClass(), null} : null;
    }

    public static TaskCall of(Object task) {
        if (task instanceof SerializableCallable) {
            return new OfCallable((SerializableCallable<?>) task);
        }
        if (task instanceof SerializableRunnable) {
            return new OfRunnable((SerializableRunnable) task);
        }
        throw new IllegalArgumentException("not a task: " + task.getClass().getName());
    }

    /** A function applied to one argument. */
    public static final class Apply implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableFunction<Object, Object> fn;
        /** Its argument (checked to be serializable when the task was submitted). */
        @SuppressWarnings("serial")
        private final Object arg;

        @SuppressWarnings("unchecked")
        public Apply(SerializableFunction<?, ?> fn, Object arg) {
            this.fn = (SerializableFunction<Object, Object>) fn;
            this.arg = arg;
        }

        @Override
        public Object call() throws Exception {
            return fn.apply(arg);
        }

        /**
         * Whether this task can travel as {@link Frame#APPLY_PLAIN}: a function that
         * captures nothing (the same for its whole class, so sent once per worker) and a plain argument.
         */
        public boolean plain() {
            return TaskPayload.capturesNothing(fn) && io.github.multiproc.internal.wire.PlainValues.isPlain(arg);
        }

        SerializableFunction<Object, Object> fn() {
            return fn;
        }

        Object arg() {
            return arg;
        }
    }

    /** A function applied to each item of a chunk, in order; the value is the list of results. */
    public static final class Chunk implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableFunction<Object, Object> fn;
        /** The chunk's items: a {@link PackedList} here, the list it stands for once read. */
        private final Serializable items;

        @SuppressWarnings("unchecked")
        public Chunk(SerializableFunction<?, ?> fn, List<?> items) {
            this.fn = (SerializableFunction<Object, Object>) fn;
            this.items = new PackedList(new ArrayList<>(items));
        }

        @Override
        public Object call() throws Exception {
            List<?> list = PackedList.unpack(items);
            ArrayList<Object> results = new ArrayList<>(list.size());
            for (Object item : list) {
                results.add(fn.apply(item));
            }
            return new PackedList(results);
        }
    }

    /**
     * A pair for starmap: {@code Map.entry} values are not serializable.
     *
     * @param first the function's first argument
     * @param second its second argument
     */
    public record Pair(Object first, Object second) implements java.io.Serializable {
    }

    /** A two-argument function applied to each pair of a chunk. */
    public static final class StarChunk implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableBiFunction<Object, Object, Object> fn;
        /** The chunk's pairs. */
        private final ArrayList<Pair> pairs;

        @SuppressWarnings("unchecked")
        public StarChunk(SerializableBiFunction<?, ?, ?> fn, List<Pair> pairs) {
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
    public static final class OfCallable implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's task. */
        private final SerializableCallable<?> task;

        OfCallable(SerializableCallable<?> task) {
            this.task = task;
        }

        SerializableCallable<?> task() {
            return task;
        }

        @Override
        public Object call() throws Exception {
            return task.call();
        }
    }

    /** The user's runnable; its value is null. */
    public static final class OfRunnable implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's task. */
        private final SerializableRunnable task;

        OfRunnable(SerializableRunnable task) {
            this.task = task;
        }

        SerializableRunnable task() {
            return task;
        }

        @Override
        public Object call() throws Exception {
            task.run();
            return null;
        }
    }
}
