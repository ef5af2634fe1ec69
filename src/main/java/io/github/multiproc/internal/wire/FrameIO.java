package io.github.multiproc.internal.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes and reads {@link Frame}s over a connection. Each message is a Java serialization stream of its own, but the
 * class descriptors are sent once per connection and direction (see {@link CompactObjectOutput}); a frame marked
 * {@link Frame#FRESH} starts those tables anew. A write that fails sends nothing and leaves the connection usable; a
 * read that fails tells whether later messages can still be read.
 *
 * <p>A frame's length is not trusted with this JVM's memory: its payload is read into a buffer that grows as the bytes
 * arrive. A payload this JVM's heap cannot hold is read past and {@linkplain Frame#dropped() dropped}, and decoding it
 * fails with its size. So that the stream stays in step after that, a message longer than {@link #LARGE} bytes adds
 * nothing to the connection's descriptor table, on either side: a later message sends the descriptors it needs again.
 *
 * <p>Thread safety: {@link #write} and {@link #read} may run on two different threads, each side one at a time.
 */
public final class FrameIO {
    /** A message longer than this leaves the connection's descriptor tables as they were before it. */
    static final int LARGE = 1 << 20;
    /** The first buffer for a payload; it grows from there as the bytes arrive. */
    private static final int FIRST_BUFFER = 1 << 16;
    private static final byte[] NO_BYTES = new byte[0];

    private final DataInputStream in;
    private final DataOutputStream out;
    /** The largest payload this side tries to hold: its heap's limit. */
    private final long heapLimit;

    private final Buffer outBuffer = new Buffer();
    /** The descriptors this side has sent on the connection; cleared when a new stream starts. */
    private final Map<String, Integer> sentDescriptors = new HashMap<>();
    private boolean started;

    private final FrameInput frameInput = new FrameInput();
    private final List<ObjectStreamClass> readDescriptors = new ArrayList<>();
    private final Map<String, Class<?>> readClasses = new HashMap<>();
    private boolean inStep = true;

    /**
     * Creates the frame reader and writer over a connection's streams.
     *
     * @param in the connection's input, buffered by the caller
     * @param out the connection's output, buffered by the caller
     */
    public FrameIO(InputStream in, OutputStream out) {
        this(in, out, Runtime.getRuntime().maxMemory());
    }

    /**
     * Creates the frame reader and writer over a connection's streams, for a heap that holds at most
     * {@code heapLimit} bytes.
     *
     * @param in the connection's input, buffered by the caller
     * @param out the connection's output, buffered by the caller
     * @param heapLimit a payload longer than this is dropped without trying to hold it
     */
    FrameIO(InputStream in, OutputStream out, long heapLimit) {
        this.in = new DataInputStream(in);
        this.out = new DataOutputStream(out);
        this.heapLimit = heapLimit;
    }

    /**
     * Serializes {@code payload} on this connection's stream and sends it.
     *
     * @param kind the message kind
     * @param id the task id
     * @param payload the object to send (may be null)
     * @throws PayloadException if the payload cannot be serialized; nothing was sent and the connection is usable
     * @throws IOException if the connection failed
     */
    public void write(int kind, long id, Object payload) throws PayloadException, IOException {
        write(kind, id, payload, true);
    }

    /**
     * Serializes {@code payload} on this connection's stream and sends it, flushing only if {@code flush}; see
     * {@link #flush()}.
     *
     * @param kind the message kind
     * @param id the task id
     * @param payload the object to send (may be null)
     * @param flush whether to push it out now, or leave it buffered for a batch
     * @throws PayloadException if the payload cannot be serialized; nothing was sent and the connection is usable
     * @throws IOException if the connection failed
     */
    public synchronized void write(int kind, long id, Object payload, boolean flush)
            throws PayloadException, IOException {
        outBuffer.reset();
        boolean fresh = !started;
        if (fresh) {
            sentDescriptors.clear();
        }
        CompactObjectOutput objects = null;
        try {
            objects = new CompactObjectOutput(outBuffer, sentDescriptors);
            objects.writeObject(payload);
            objects.flush();
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // an OutOfMemoryError here is this payload's buffer outgrowing the heap: drop the buffer, and the
            // payload is the one that cannot travel, not the JVM that is broken
            outBuffer.reset();
            if (objects != null) {
                objects.rollback(); // never sent: the receiver has not seen its descriptors
            }
            throw new PayloadException(e);
        }
        started = true;
        if (outBuffer.size() > LARGE) {
            objects.rollback(); // a receiver that cannot hold this message drops it: nothing later may rely on it
        }
        writeRaw(fresh ? kind | Frame.FRESH : kind, id, outBuffer.bytes(), outBuffer.size(), flush);
    }

    /**
     * Sends a frame without a payload (its id says all), flushing only if {@code flush}.
     *
     * @param kind the message kind
     * @param id the value the frame carries
     * @param flush whether to push it out now
     * @throws IOException if the connection failed
     */
    public synchronized void writeEmpty(int kind, long id, boolean flush) throws IOException {
        writeRaw(kind, id, new byte[0], 0, flush);
    }

    /**
     * Sends a payload in an encoding of its own (not a serialization stream), leaving this connection's descriptor
     * tables as they are: the receiver reads it without them.
     *
     * @param kind the message kind
     * @param id the task id
     * @param bytes the payload
     * @param flush whether to push it out now
     * @throws IOException if the connection failed
     */
    public synchronized void writeEncoded(int kind, long id, byte[] bytes, boolean flush) throws IOException {
        writeRaw(kind, id, bytes, bytes.length, flush);
    }

    /**
     * Sends {@link Frame#APPLY_PLAIN}: the function numbered {@code function} on this connection, applied to
     * {@code arg}.
     *
     * @param id the task id
     * @param function the number the function was sent with in a {@link Frame#FUNCTION} frame
     * @param arg a value {@link PlainValues#isPlain} accepts
     * @param flush whether to push it out now
     * @throws IOException if the connection failed
     */
    public synchronized void writeApplyPlain(long id, int function, Object arg, boolean flush) throws IOException {
        outBuffer.reset();
        DataOutputStream data = new DataOutputStream(outBuffer);
        data.writeInt(function);
        PlainValues.write(data, arg);
        writeRaw(Frame.APPLY_PLAIN, id, outBuffer.bytes(), outBuffer.size(), flush);
    }

    /**
     * Sends {@link Frame#RESULT_PLAIN}.
     *
     * @param id the task id
     * @param value a value {@link PlainValues#isPlain} accepts
     * @param flush whether to push it out now
     * @throws IOException if the connection failed
     */
    public synchronized void writeResultPlain(long id, Object value, boolean flush) throws IOException {
        outBuffer.reset();
        PlainValues.write(new DataOutputStream(outBuffer), value);
        writeRaw(Frame.RESULT_PLAIN, id, outBuffer.bytes(), outBuffer.size(), flush);
    }

    /**
     * Reads the value of a {@link Frame#RESULT_PLAIN} frame.
     *
     * @param frame the frame
     * @return the value
     * @throws PayloadException if the frame is garbled or was dropped; later frames can still be read
     */
    public static Object plainValue(Frame frame) throws PayloadException {
        try {
            return PlainValues.read(plainInput(frame, 0));
        } catch (IOException e) {
            throw new PayloadException(e, true);
        }
    }

    /**
     * Reads a {@link Frame#APPLY_PLAIN} frame.
     *
     * @param frame the frame
     * @return the function's number and the argument
     * @throws PayloadException if the frame is garbled or was dropped; later frames can still be read
     */
    public static Object[] applyPlain(Frame frame) throws PayloadException {
        try {
            DataInputStream in = plainInput(frame, 0);
            int function = in.readInt();
            return new Object[] {function, PlainValues.read(in)};
        } catch (IOException e) {
            throw new PayloadException(e, true);
        }
    }

    private static DataInputStream plainInput(Frame frame, int offset) throws PayloadException {
        if (frame.dropped()) {
            throw new PayloadException(tooLarge(frame, null), true);
        }
        return new DataInputStream(new ByteArrayInputStream(frame.payload(), offset, frame.length() - offset));
    }

    /**
     * Pushes out what buffered writes left.
     *
     * @throws IOException if the connection failed
     */
    public synchronized void flush() throws IOException {
        out.flush();
    }

    /**
     * Sends bytes that were serialized on a stream of their own (with its header).
     *
     * @param kind the message kind
     * @param id the task id
     * @param standalone a complete serialization stream
     * @throws IOException if the connection failed
     */
    public synchronized void writeStandalone(int kind, long id, byte[] standalone) throws IOException {
        writeRaw(kind | Frame.FRESH, id, standalone, standalone.length, true);
        started = false; // the receiver starts its tables anew; so must we
    }

    private void writeRaw(int kind, long id, byte[] bytes, int length, boolean flush) throws IOException {
        out.writeInt(length);
        out.writeByte(kind);
        out.writeLong(id);
        out.write(bytes, 0, length);
        if (flush) {
            out.flush();
        }
    }

    /**
     * Reads the next frame; one whose payload this JVM's heap cannot hold is read past and returned
     * {@linkplain Frame#dropped() dropped}.
     *
     * @return the frame, or null at the end of the connection
     * @throws EOFException if the connection ended inside a frame
     * @throws IOException if the connection failed or sent garbage
     */
    public Frame read() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 0 || length > Frame.MAX_LENGTH) {
            throw new StreamCorruptedException("bad frame length " + length);
        }
        int kind = in.readUnsignedByte();
        long id = in.readLong();
        return new Frame(kind, id, readPayload(length), length);
    }

    /**
     * Reads a payload into a buffer that grows as its bytes arrive, so that a bogus length costs no more memory than
     * the bytes actually sent; returns null, having read past the payload, if this JVM's heap cannot hold it.
     */
    private byte[] readPayload(int length) throws IOException {
        if (length > heapLimit) {
            discard(length);
            return null;
        }
        byte[] buffer = null;
        int filled = 0;
        try {
            buffer = new byte[Math.min(length, FIRST_BUFFER)];
            while (filled < length) {
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min(length, 2L * buffer.length));
                }
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) {
                    throw new EOFException("the connection ended " + filled + " bytes into a payload of " + length);
                }
                filled += n;
            }
            return buffer;
        } catch (OutOfMemoryError e) {
            buffer = null; // let the collector have what was read so far
            discard(length - (long) filled);
            return null;
        }
    }

    /** Reads past {@code count} bytes: the rest of a payload this JVM does not keep. */
    private void discard(long count) throws IOException {
        byte[] scratch = new byte[(int) Math.min(count, FIRST_BUFFER)];
        for (long left = count; left > 0; ) {
            int n = in.read(scratch, 0, (int) Math.min(left, scratch.length));
            if (n < 0) {
                throw new EOFException("the connection ended " + (count - left) + " bytes into a dropped payload");
            }
            left -= n;
        }
    }

    /** Why a frame's payload cannot be had: it does not fit this JVM's heap. */
    private static IOException tooLarge(Frame frame, OutOfMemoryError cause) {
        String what;
        switch (frame.type()) {
            case Frame.TASK:
            case Frame.FUNCTION:
            case Frame.APPLY_PLAIN:
                what = "task";
                break;
            case Frame.RESULT:
            case Frame.RESULT_PLAIN:
                what = "result";
                break;
            case Frame.FAILED:
            case Frame.TASK_UNREADABLE:
            case Frame.RESULT_UNSENDABLE:
                what = "exception";
                break;
            default:
                what = "message";
        }
        IOException e = new IOException(String.format(Locale.ROOT,
                "%s too large for this JVM's heap: %,d bytes serialized, max heap %,d MiB (pid %d)", what,
                frame.length(), Runtime.getRuntime().maxMemory() >> 20, ProcessHandle.current().pid()));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * Deserializes a frame's payload on this connection's input stream.
     *
     * @param frame a frame from {@link #read()}
     * @return the object
     * @throws PayloadException if the payload cannot be deserialized, or was dropped, or its object does not fit this
     *     JVM's heap; {@link PayloadException#inStep()} tells whether later frames can still be read
     */
    public Object decode(Frame frame) throws PayloadException {
        if (frame.fresh()) {
            readDescriptors.clear();
            readClasses.clear();
            inStep = true;
        } else if (!inStep) {
            throw new PayloadException(new StreamCorruptedException("an earlier message broke the stream"), false);
        }
        // a large message's descriptors are forgotten on both sides, whatever happens to it here
        boolean large = frame.length() > LARGE;
        int known = readDescriptors.size();
        if (frame.dropped()) {
            inStep = large; // a smaller one's descriptors, if it had any, are lost with it
            throw new PayloadException(tooLarge(frame, null), inStep);
        }
        frameInput.load(frame.payload(), frame.length());
        try {
            Object value = new CompactObjectInput(frameInput, readDescriptors, readClasses).readObject();
            if (frameInput.available() != 0) {
                inStep = large;
                throw new PayloadException(new StreamCorruptedException(
                        frameInput.available() + " bytes left over after the object"), inStep);
            }
            return value;
        } catch (OutOfMemoryError e) {
            inStep = large || frameInput.available() == 0;
            throw new PayloadException(tooLarge(frame, e), inStep);
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError | StackOverflowError e) {
            // a message that was read to its end has shown every class descriptor it carried
            inStep = large || frameInput.available() == 0;
            throw new PayloadException(e, inStep);
        } finally {
            frameInput.load(NO_BYTES, 0); // do not keep the payload alive until the next message
            if (large) {
                readDescriptors.subList(known, readDescriptors.size()).clear();
            }
        }
    }

    /**
     * Serializes {@code value} on a stream of its own.
     *
     * @param value the object
     * @return a complete serialization stream
     * @throws IOException if it cannot be serialized
     */
    public static byte[] serializeStandalone(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream oos = new CompactObjectOutput(bytes, new HashMap<>())) {
            oos.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #serializeStandalone} wrote.
     *
     * @param bytes a complete serialization stream
     * @return the object
     * @throws IOException if the bytes are not such a stream
     * @throws ClassNotFoundException if a class in it cannot be loaded here
     */
    public static Object deserializeStandalone(byte[] bytes) throws IOException, ClassNotFoundException {
        try (CompactObjectInput in = new CompactObjectInput(new java.io.ByteArrayInputStream(bytes),
                new java.util.ArrayList<>(), new HashMap<>())) {
            return in.readObject();
        }
    }

    /** A byte array output stream that exposes its array, to send without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1024);
        }

        byte[] bytes() {
            return buf;
        }

        @Override
        public synchronized void reset() {
            super.reset();
            if (buf.length > 1 << 20) {
                buf = new byte[1024]; // do not keep a large one alive
            }
        }
    }

    /** Feeds one frame's payload to the persistent object input stream, then reports end of data. */
    private static final class FrameInput extends ByteArrayInputStream {
        FrameInput() {
            super(new byte[0]);
        }

        void load(byte[] payload, int length) {
            this.buf = payload;
            this.pos = 0;
            this.count = length;
            this.mark = 0;
        }
    }
}
