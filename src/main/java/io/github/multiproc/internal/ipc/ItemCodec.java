package io.github.multiproc.internal.ipc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How items and messages are turned into bytes: integers, longs and strings by hand (the common case costs no
 * object stream), everything else by Java serialization.
 */
final class ItemCodec {
    private static final byte NULL = 0;
    private static final byte INTEGER = 1;
    private static final byte LONG = 2;
    private static final byte STRING = 3;
    private static final byte SERIALIZED = 4;

    private ItemCodec() {
    }

    /**
     * Encodes an item.
     *
     * @param item the item
     * @param into what it goes into, for the message
     * @return its bytes
     * @throws IllegalArgumentException if it cannot be serialized, naming the class that cannot
     */
    static byte[] encode(Object item, String into) {
        if (item == null) {
            return new byte[] {NULL};
        }
        Class<?> type = item.getClass();
        if (type == Integer.class) {
            return ByteBuffer.allocate(5).put(INTEGER).putInt((Integer) item).array();
        }
        if (type == Long.class) {
            return ByteBuffer.allocate(9).put(LONG).putLong((Long) item).array();
        }
        if (type == String.class) {
            byte[] utf8 = ((String) item).getBytes(StandardCharsets.UTF_8);
            byte[] bytes = new byte[utf8.length + 1];
            bytes[0] = STRING;
            System.arraycopy(utf8, 0, bytes, 1, utf8.length);
            return bytes;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        bytes.write(SERIALIZED);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(item);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("cannot put a " + type.getName() + " into " + into + ": "
                    + (e.getMessage().equals(type.getName()) ? "it is" : e.getMessage() + " in it is")
                    + " not serializable", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot put a " + type.getName() + " into " + into
                    + ": it cannot be serialized: " + e, e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes an item.
     *
     * @param bytes what {@link #encode} made
     * @param from where it came from, for the message
     * @return the item
     * @throws IllegalStateException if it cannot be read here (its class is missing, for one)
     */
    static Object decode(byte[] bytes, String from) {
        switch (bytes[0]) {
            case NULL:
                return null;
            case INTEGER:
                return ByteBuffer.wrap(bytes, 1, 4).getInt();
            case LONG:
                return ByteBuffer.wrap(bytes, 1, 8).getLong();
            case STRING:
                return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
            default:
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, 1,
                        bytes.length - 1))) {
                    return in.readObject();
                } catch (IOException | ClassNotFoundException e) {
                    throw new IllegalStateException("cannot read an item taken from " + from + ": " + e, e);
                }
        }
    }
}
