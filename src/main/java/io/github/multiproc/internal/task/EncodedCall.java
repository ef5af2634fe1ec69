package io.github.multiproc.internal.task;

import io.github.multiproc.internal.wire.FrameIO;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A task that travels as bytes and answers as bytes: what a cluster node hands its local workers, so that the node's
 * own JVM never loads a user's class. In the worker it decodes the task, runs it and encodes how it went: an
 * {@link Outcome} of one kind byte, the worker's pid, and a serialized value, exception or message.
 *
 * <p>Thread safety: immutable.
 */
public final class EncodedCall implements TaskCall {
    private static final long serialVersionUID = 1L;
    /** The task's value follows. */
    public static final byte VALUE = 0;
    /** The task threw: its exception follows (or a stand-in, if it could not be serialized). */
    public static final byte FAILED = 1;
    /** The task returned a value that cannot be serialized: a message follows. */
    public static final byte UNSENDABLE = 2;
    /** The task cannot be read in the worker (a class missing there): a message follows. */
    public static final byte UNREADABLE = 3;

    /** Tasks decoded in this worker that can be run again as they are, by their bytes; bounded. */
    private static final java.util.Map<Bytes, TaskCall> REUSABLE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int REUSABLE_MAX = 256;

    private final byte[] task;
    /** Whether the task holds no state (a lambda that captures nothing): decoded once per worker, then reused. */
    private final boolean reusable;

    /**
     * Wraps an encoded task.
     *
     * @param task a {@link TaskCall} as {@link FrameIO#serializeStandalone} wrote it
     * @param reusable whether it is a lambda that captures nothing, so that one decoded copy serves every time
     */
    public EncodedCall(byte[] task, boolean reusable) {
        this.task = task;
        this.reusable = reusable;
    }

    /** A byte array as a map key. */
    private record Bytes(byte[] bytes, int hash) {
        Bytes(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes && ((Bytes) o).hash == hash && Arrays.equals(((Bytes) o).bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Decodes, runs and encodes: never throws for the task's sake.
     *
     * @return the {@link Outcome}'s bytes
     */
    @Override
    public Object call() throws IOException {
        TaskCall decoded;
        try {
            decoded = reusable ? REUSABLE.get(new Bytes(task)) : null;
            if (decoded == null) {
                decoded = (TaskCall) FrameIO.deserializeStandalone(task);
                if (reusable) {
                    if (REUSABLE.size() >= REUSABLE_MAX) {
                        REUSABLE.clear();
                    }
                    REUSABLE.put(new Bytes(task), decoded);
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            return encode(UNREADABLE, "class " + missingClass(e) + " cannot be loaded: " + e);
        } catch (IOException | RuntimeException e) {
            return encode(UNREADABLE, "the task cannot be read: " + e);
        }
        Object value;
        try {
            value = decoded.call();
        } catch (Throwable t) { // the task's own failure goes back, of any kind
            try {
                return encode(FAILED, t);
            } catch (IOException | RuntimeException unsendable) {
                return encode(FAILED, RemoteThrowable.of(t));
            }
        }
        try {
            return encode(VALUE, value);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return encode(UNSENDABLE, "the task's result, of " + (value == null ? "null" : value.getClass().getName())
                    + ", cannot be serialized: " + e);
        }
    }

    private static String missingClass(Throwable e) {
        String message = e.getMessage();
        return message == null ? "?" : message.replace('/', '.');
    }

    private static byte[] encode(byte kind, Object payload) throws IOException {
        byte[] body = FrameIO.serializeStandalone(payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 9);
        DataOutputStream data = new DataOutputStream(out);
        data.writeByte(kind);
        data.writeLong(ProcessHandle.current().pid());
        data.write(body);
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "EncodedCall[" + task.length + " bytes" + (reusable ? ", reusable" : "") + "]";
    }

    /**
     * How an {@link EncodedCall} went, read back where its result arrives.
     *
     * @param kind {@link #VALUE}, {@link #FAILED}, {@link #UNSENDABLE} or {@link #UNREADABLE}
     * @param pid the worker that ran it
     * @param payload the serialized value, exception or message
     */
    public record Outcome(byte kind, long pid, byte[] payload) {
        /**
         * Splits an encoded outcome.
         *
         * @param bytes what {@link EncodedCall#call()} returned
         * @return its parts
         */
        public static Outcome of(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new Outcome(b.get(), b.getLong(), Arrays.copyOfRange(bytes, 9, bytes.length));
        }

        /**
         * Deserializes the payload.
         *
         * @return the value, exception or message
         * @throws IOException if it cannot be read
         * @throws ClassNotFoundException if a class in it cannot be loaded here
         */
        public Object read() throws IOException, ClassNotFoundException {
            return FrameIO.deserializeStandalone(payload);
        }
    }
}
