package io.github.multiproc;

import io.github.multiproc.internal.TaskCall;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Adapts the user's task types to the one shape the child runs. */
final class Calls {
    private Calls() {
    }

    /** Immutable JDK types whose serialization cannot fail. */
    private static final java.util.Set<Class<?>> PLAIN_VALUES = java.util.Set.of(Integer.class, Long.class,
            Short.class, Byte.class, Double.class, Float.class, Boolean.class, Character.class, String.class);

    /**
     * Whether {@code call} certainly serializes: a lambda that captures nothing, with no argument or a plain value.
     * Such a task need not be tried at submission (the dispatcher serializes it anyway).
     */
    static boolean surelySerializable(TaskCall call) {
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
        return false;
    }

    /**
     * How {@code call} travels as {@link io.github.multiproc.internal.Frame#APPLY_PLAIN}, or null if it cannot: the
     * object a worker keeps by number (a function that captures nothing, or a callable or runnable task that captures
     * nothing), the class that stands for it (all its instances are the same task), and the plain argument.
     */
    static Object[] plainForm(TaskCall call) {
        if (call instanceof Apply) {
            Apply a = (Apply) call;
            return a.plain() ? new Object[] {a.fn, a.fn.getClass(), a.arg} : null;
        }
        Object user = call instanceof OfCallable ? ((OfCallable) call).task
                : call instanceof OfRunnable ? ((OfRunnable) call).task : null;
        return user != null && TaskPayload.capturesNothing(user) ? new Object[] {call, user.getClass(), null} : null;
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
        /** Its argument (checked to be serializable when the task was submitted). */
        @SuppressWarnings("serial")
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

        /**
         * Whether this task can travel as {@link io.github.multiproc.internal.Frame#APPLY_PLAIN}: a function that
         * captures nothing (the same for its whole class, so sent once per worker) and a plain argument.
         */
        boolean plain() {
            return TaskPayload.capturesNothing(fn) && io.github.multiproc.internal.PlainValues.isPlain(arg);
        }

        SerializableFunction<Object, Object> fn() {
            return fn;
        }

        Object arg() {
            return arg;
        }
    }

    /** A function applied to each item of a chunk, in order; the value is the list of results. */
    static final class Chunk implements TaskCall {
        private static final long serialVersionUID = 1L;
        /** The user's function. */
        private final SerializableFunction<Object, Object> fn;
        /** The chunk's items: a {@link PackedList} here, the list it stands for once read. */
        private final Serializable items;

        @SuppressWarnings("unchecked")
        Chunk(SerializableFunction<?, ?> fn, List<?> items) {
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
     * A list on the wire: when every item is an {@code Integer}, {@code Long}, {@code Double} or a short
     * {@code String}, their values are written one after another instead of as objects, which is most of the cost of
     * a {@code map} over many small items; anything else is written as usual. Read back, it is an {@link ArrayList}
     * (equal values; the identity of boxed values is not kept).
     */
    static final class PackedList implements Serializable {
        private static final long serialVersionUID = 1L;
        static final int GENERIC = 0;
        private static final int INTS = 1;
        private static final int LONGS = 2;
        private static final int DOUBLES = 3;
        private static final int STRINGS = 4;
        /** Longer strings go as objects: writeUTF takes at most 65,535 bytes. */
        private static final int MAX_PACKED_STRING = 16_000;

        private transient List<?> items;
        /** {@link #kind(Object[])} of the items, once known; -1 before. */
        private transient int kind = -1;
        /** The items as an array, once needed. */
        private transient Object[] array;

        PackedList(List<?> items) {
            this.items = items;
        }

        /** How the items are written; worked out once (the list is not changed after). */
        int kind() {
            if (kind < 0) {
                kind = kind(array());
            }
            return kind;
        }

        private Object[] array() {
            if (array == null) {
                array = items.toArray();
            }
            return array;
        }

        static List<?> unpack(Object packed) {
            return packed instanceof PackedList ? ((PackedList) packed).items : (List<?>) packed;
        }

        /** Plain loops over an array: few calls per item, quick even before the JIT has compiled them. */
        private static int kind(Object[] items) {
            if (items.length == 0) {
                return GENERIC;
            }
            Object first = items[0];
            Class<?> type = first == null ? null : first.getClass();
            if (type != Integer.class && type != Long.class && type != Double.class && type != String.class) {
                return GENERIC;
            }
            for (Object item : items) {
                if (item == null || item.getClass() != type) {
                    return GENERIC;
                }
            }
            if (type == String.class) {
                for (Object item : items) {
                    if (((String) item).length() > MAX_PACKED_STRING) {
                        return GENERIC;
                    }
                }
            }
            return type == Integer.class ? INTS : type == Long.class ? LONGS : type == Double.class ? DOUBLES
                    : STRINGS;
        }

        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            int kind = kind();
            out.writeByte(kind);
            out.writeInt(items.size());
            if (kind == INTS || kind == LONGS || kind == DOUBLES) {
                // one array, one write: a simple loop, quick even before the JIT has compiled it
                // the values into a primitive array, then into bytes in one bulk copy
                Object[] values = array();
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * (kind == INTS ? 4 : 8));
                if (kind == INTS) {
                    int[] ints = new int[values.length];
                    for (int i = 0; i < ints.length; i++) {
                        ints[i] = (Integer) values[i];
                    }
                    bytes.asIntBuffer().put(ints);
                } else if (kind == LONGS) {
                    long[] longs = new long[values.length];
                    for (int i = 0; i < longs.length; i++) {
                        longs[i] = (Long) values[i];
                    }
                    bytes.asLongBuffer().put(longs);
                } else {
                    double[] doubles = new double[values.length];
                    for (int i = 0; i < doubles.length; i++) {
                        doubles[i] = (Double) values[i];
                    }
                    bytes.asDoubleBuffer().put(doubles);
                }
                out.write(bytes.array());
                return;
            }
            for (Object item : items) {
                switch (kind) {
                    case INTS:
                        out.writeInt((Integer) item);
                        break;
                    case LONGS:
                        out.writeLong((Long) item);
                        break;
                    case DOUBLES:
                        out.writeDouble((Double) item);
                        break;
                    case STRINGS:
                        out.writeUTF((String) item);
                        break;
                    default:
                        out.writeObject(item);
                }
            }
        }

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            int kind = in.readByte();
            int size = in.readInt();
            if (size < 0) {
                throw new java.io.InvalidObjectException("negative size " + size);
            }
            if (kind == INTS || kind == LONGS || kind == DOUBLES) {
                int width = kind == INTS ? 4 : 8;
                if (size > Integer.MAX_VALUE / width) {
                    throw new java.io.InvalidObjectException("too many items: " + size);
                }
                byte[] raw = new byte[size * width];
                in.readFully(raw);
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(raw);
                Object[] values = new Object[size];
                if (kind == INTS) {
                    int[] ints = new int[size];
                    bytes.asIntBuffer().get(ints);
                    for (int i = 0; i < size; i++) {
                        values[i] = ints[i];
                    }
                } else if (kind == LONGS) {
                    long[] longs = new long[size];
                    bytes.asLongBuffer().get(longs);
                    for (int i = 0; i < size; i++) {
                        values[i] = longs[i];
                    }
                } else {
                    double[] doubles = new double[size];
                    bytes.asDoubleBuffer().get(doubles);
                    for (int i = 0; i < size; i++) {
                        values[i] = doubles[i];
                    }
                }
                items = new ArrayList<>(java.util.Arrays.asList(values));
                return;
            }
            ArrayList<Object> list = new ArrayList<>(Math.min(size, 1 << 16));
            for (int i = 0; i < size; i++) {
                switch (kind) {
                    case INTS:
                        list.add(in.readInt());
                        break;
                    case LONGS:
                        list.add(in.readLong());
                        break;
                    case DOUBLES:
                        list.add(in.readDouble());
                        break;
                    case STRINGS:
                        list.add(in.readUTF());
                        break;
                    case GENERIC:
                        list.add(in.readObject());
                        break;
                    default:
                        throw new java.io.InvalidObjectException("unknown packing " + kind);
                }
            }
            items = list;
        }

        private Object readResolve() {
            return items;
        }
    }

    /**
     * A pair for starmap: {@code Map.entry} values are not serializable.
     *
     * @param first the function's first argument
     * @param second its second argument
     */
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
