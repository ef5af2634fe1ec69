package io.github.multiproc.internal.wire;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A list on the wire: when every item is an {@code Integer}, {@code Long}, {@code Double} or a short
 * {@code String}, their values are written one after another instead of as objects, which is most of the cost of
 * a {@code map} over many small items; anything else is written as usual. Read back, it is an {@link ArrayList}
 * (equal values; the identity of boxed values is not kept).
 */
public final class PackedList implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The kind of a list whose items are written as objects. */
    public static final int GENERIC = 0;
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

    /**
     * Wraps {@code items} for the wire; the list must not change after this.
     *
     * @param items the items
     */
    public PackedList(List<?> items) {
        this.items = items;
    }

    /**
     * Returns how the items are written: {@link #GENERIC} as objects, else packed; worked out once.
     *
     * @return the kind
     */
    public int kind() {
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

    /**
     * Returns the list a packed list stands for, or {@code packed} itself if it is a list already (read back).
     *
     * @param packed a {@code PackedList} or a list
     * @return the list
     */
    public static List<?> unpack(Object packed) {
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
