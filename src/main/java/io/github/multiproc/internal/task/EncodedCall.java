package io.github.multiproc.internal.task;

import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PlainValues;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A task that travels as bytes and answers as bytes: what a cluster node hands its local workers, so that the node's
 * own JVM never loads a user's class. In the worker it decodes the task, runs it and encodes how it went: an
 * {@link Outcome} of one kind byte, the worker's pid, and a serialized value, exception or message; or, for a plain
 * value (null, a boxed primitive, a string), the value itself, which goes back as a local pool's plain results do.
 * A reusable one (a lambda that captures nothing) stands for all its copies ({@link #reuseKey()}): a local pool sends
 * it to a worker once, and the worker runs its decoded task every time after.
 *
 * <p>Thread safety: immutable but for two caches of what its bytes give, which a race only works out twice.
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
    /** Its bytes as a key, for a reusable one; worked out once (a race only works it out twice). */
    private transient Bytes key;
    /** A reusable task, decoded: this copy, sent once to a worker, runs there every time after (a benign race). */
    private transient TaskCall decoded;

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

    /**
     * What stands for this task in a worker that has it already: for a reusable task, its bytes (equal bytes, the same
     * task), sent to a worker once; null for one that must travel every time.
     *
     * @return the key, or null
     */
    public Object reuseKey() {
        if (!reusable) {
            return null;
        }
        Bytes k = key;
        if (k == null) {
            key = k = new Bytes(task);
        }
        return k;
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
     * @return the task's value itself if it is plain ({@link PlainValues#isPlain}: null, a boxed primitive or a
     *     string, which any JVM can hold without the user's classes), else the {@link Outcome}'s bytes
     */
    @Override
    public Object call() throws IOException {
        TaskCall decoded = this.decoded;
        try {
            if (decoded == null && reusable) {
                decoded = REUSABLE.get((Bytes) reuseKey());
            }
            if (decoded == null) {
                decoded = (TaskCall) FrameIO.deserializeStandalone(task);
                if (reusable) {
                    if (REUSABLE.size() >= REUSABLE_MAX) {
                        REUSABLE.clear();
                    }
                    REUSABLE.put((Bytes) reuseKey(), decoded);
                }
            }
            if (reusable) {
                this.decoded = decoded;
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
        if (PlainValues.isPlain(value)) {
            return value;
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
