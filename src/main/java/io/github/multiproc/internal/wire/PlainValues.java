package io.github.multiproc.internal.wire;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written encoding for the values most small pool tasks take and give: null, the boxed primitives and
 * strings. A task of the shape "function already sent on this connection, plain argument" and a plain result then
 * travel without Java serialization, whose code is most of a small task's cost (and of the JIT's work in a fresh
 * JVM).
 */
public final class PlainValues {
    private static final int NULL = 0;
    private static final int INTEGER = 1;
    private static final int LONG = 2;
    private static final int DOUBLE = 3;
    private static final int STRING = 4;
    private static final int BOOLEAN = 5;
    private static final int SHORT = 6;
    private static final int BYTE = 7;
    private static final int FLOAT = 8;
    private static final int CHARACTER = 9;
    /** Longer strings take the ordinary path. */
    private static final int MAX_STRING = 1 << 16;

    private PlainValues() {
    }

    /**
     * Returns whether {@code value} has a plain encoding.
     *
     * @param value any value
     * @return true for null, the boxed primitives and strings of up to 65,536 characters
     */
    public static boolean isPlain(Object value) {
        if (value == null) {
            return true;
        }
        Class<?> type = value.getClass();
        return type == Integer.class || type == Long.class || type == Double.class
                || (type == String.class && ((String) value).length() <= MAX_STRING) || type == Boolean.class
                || type == Short.class || type == Byte.class || type == Float.class || type == Character.class;
    }

    /**
     * Writes a plain value.
     *
     * @param out where to
     * @param value a value {@link #isPlain} accepts
     * @throws IOException if {@code out} fails
     * @throws IllegalArgumentException if the value is not plain
     */
    public static void write(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Integer) {
            out.writeByte(INTEGER);
            out.writeInt((Integer) value);
        } else if (value instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (value instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits((Double) value));
        } else if (value instanceof String) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            out.writeByte(STRING);
            out.writeInt(utf8.length);
            out.write(utf8);
        } else if (value instanceof Boolean) {
            out.writeByte(BOOLEAN);
            out.writeBoolean((Boolean) value);
        } else if (value instanceof Short) {
            out.writeByte(SHORT);
            out.writeShort((Short) value);
        } else if (value instanceof Byte) {
            out.writeByte(BYTE);
            out.writeByte((Byte) value);
        } else if (value instanceof Float) {
            out.writeByte(FLOAT);
            out.writeInt(Float.floatToRawIntBits((Float) value));
        } else if (value instanceof Character) {
            out.writeByte(CHARACTER);
            out.writeChar((Character) value);
        } else {
            throw new IllegalArgumentException("not a plain value: " + value.getClass().getName());
        }
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @param in where from
     * @return the value
     * @throws IOException if {@code in} fails or holds no plain value
     */
    public static Object read(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case NULL:
                return null;
            case INTEGER:
                return in.readInt();
            case LONG:
                return in.readLong();
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case STRING:
                int length = in.readInt();
                if (length < 0 || length > 4 * MAX_STRING) {
                    throw new StreamCorruptedException("bad plain string length " + length);
                }
                byte[] utf8 = new byte[length];
                in.readFully(utf8);
                return new String(utf8, StandardCharsets.UTF_8);
            case BOOLEAN:
                return in.readBoolean();
            case SHORT:
                return in.readShort();
            case BYTE:
                return in.readByte();
            case FLOAT:
                return Float.intBitsToFloat(in.readInt());
            case CHARACTER:
                return in.readChar();
            default:
                throw new StreamCorruptedException("bad plain value tag " + tag);
        }
    }
}
