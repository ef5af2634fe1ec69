package io.github.multiproc.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;

/**
 * Writes and reads {@link Frame}s over a connection, with one Java serialization stream per direction that
 * survives failures: a write that fails to serialize restarts the stream ({@link Frame#FRESH}), and a read that fails
 * reports whether the stream is still in step.
 *
 * <p>Thread safety: {@link #write} and {@link #read} may run on two different threads, each side one at a time.
 */
public final class FrameIO {
    /** Reset the handle table this often, so that neither side keeps every object it ever sent alive. */
    private static final int RESET_EVERY = 1024;

    private final DataInputStream in;
    private final DataOutputStream out;

    private final Buffer outBuffer = new Buffer();
    private ObjectOutputStream objectsOut;
    private int sinceReset;

    private final FrameInput frameInput = new FrameInput();
    private ObjectInputStream objectsIn;

    /**
     * Creates the frame reader and writer over a connection's streams.
     *
     * @param in the connection's input, buffered by the caller
     * @param out the connection's output, buffered by the caller
     */
    public FrameIO(InputStream in, OutputStream out) {
        this.in = new DataInputStream(in);
        this.out = new DataOutputStream(out);
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
    public synchronized void write(int kind, long id, Object payload) throws PayloadException, IOException {
        outBuffer.reset();
        boolean fresh = objectsOut == null;
        try {
            if (fresh) {
                objectsOut = new ObjectOutputStream(outBuffer);
                sinceReset = 0;
            } else if (++sinceReset >= RESET_EVERY) {
                objectsOut.reset();
                sinceReset = 0;
            }
            objectsOut.writeObject(payload);
            objectsOut.flush();
        } catch (IOException | RuntimeException | StackOverflowError e) {
            objectsOut = null; // the stream's handle table no longer matches what the receiver saw
            throw new PayloadException(e);
        }
        writeRaw(fresh ? kind | Frame.FRESH : kind, id, outBuffer.bytes(), outBuffer.size());
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
        writeRaw(kind | Frame.FRESH, id, standalone, standalone.length);
        objectsOut = null; // the receiver now reads a new stream; ours must restart too
    }

    private void writeRaw(int kind, long id, byte[] bytes, int length) throws IOException {
        out.writeInt(length);
        out.writeByte(kind);
        out.writeLong(id);
        out.write(bytes, 0, length);
        out.flush();
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or null at the end of the connection
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
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(kind, id, payload, length);
    }

    /**
     * Deserializes a frame's payload on this connection's input stream.
     *
     * @param frame a frame from {@link #read()}
     * @return the object
     * @throws PayloadException if the payload cannot be deserialized; {@link PayloadException#inStep()} tells whether
     *     later frames can still be read
     */
    public Object decode(Frame frame) throws PayloadException {
        frameInput.load(frame.payload(), frame.length());
        try {
            if (frame.fresh() || objectsIn == null) {
                objectsIn = new ObjectInputStream(frameInput);
            }
            Object value = objectsIn.readObject();
            if (frameInput.available() != 0) {
                objectsIn = null;
                throw new PayloadException(new StreamCorruptedException(
                        frameInput.available() + " bytes left over after the object"), false);
            }
            return value;
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError | StackOverflowError e) {
            boolean inStep = frameInput.available() == 0 && objectsIn != null;
            if (!inStep) {
                objectsIn = null;
            }
            throw new PayloadException(e, inStep);
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
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(value);
        }
        return bytes.toByteArray();
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
