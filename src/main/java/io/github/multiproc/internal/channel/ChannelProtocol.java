package io.github.multiproc.internal.channel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The handshake that opens every task channel, before any frame. Each end proves that it knows the child's secret,
 * and neither sends the secret itself:
 * <ol>
 *   <li>the child sends its hello: {@code MAGIC}, the protocol version, a nonce, and the HMAC-SHA-256 under the secret
 *       of {@code "multiproc child"} and the nonce;</li>
 *   <li>the parent checks that in constant time and answers with the HMAC of {@code "multiproc parent"} and the same
 *       nonce, then the child's settings (and a one-shot child's task, in the same write);</li>
 *   <li>the child checks the parent's proof before it reads anything else.</li>
 * </ol>
 * Only raw bytes are read until each end has checked the other: the parent deserializes nothing from a peer that has
 * not proved it is the child, and the child nothing from one that has not proved it is the parent, such as a process
 * that took a dead parent's loopback port. The parent proves itself only to a peer that proved itself first, so a
 * stranger cannot have it prove a nonce of the stranger's choosing; the nonce (the clock and identity hashes) keeps a
 * parent's proof from serving for another connection, and need not be secret.
 */
public final class ChannelProtocol {
    /** {@code "MPRC"}. */
    static final int MAGIC = 0x4d505243;
    /**
     * 2: a message longer than {@code FrameIO.LARGE} adds nothing to the connection's descriptor tables. 3: the parent
     * proves itself too, and the child sends a proof in place of its secret.
     */
    static final int VERSION = 4;
    /** Length of the child's nonce in bytes. */
    static final int NONCE_LENGTH = 16;
    /** Length of the child's hello in bytes: magic, version, nonce, proof. */
    static final int HELLO_LENGTH = 4 + 1 + NONCE_LENGTH + HmacSha256.LENGTH;
    private static final byte[] CHILD = "multiproc child".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PARENT = "multiproc parent".getBytes(StandardCharsets.US_ASCII);
    /** Length of the per-child secret in bytes. */
    public static final int SECRET_LENGTH = 32;
    /** Child mode: run one task, then exit with its code. */
    public static final int MODE_ONE_SHOT = 1;
    /** Child mode: run tasks until told to exit (pool worker). */
    public static final int MODE_WORKER = 2;
    /** Exit code of a child that halts because its parent is gone. */
    public static final int EXIT_PARENT_LOST = 3;
    /** Exit code of a pool worker that halts because the parent cancelled (or timed out) the task it runs. */
    public static final int EXIT_CANCELLED = 4;

    /** Only the parent makes secrets: a child never loads the security providers (some 20 ms of its start). */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private ChannelProtocol() {
    }

    /**
     * Returns a fresh random secret.
     *
     * @return {@link #SECRET_LENGTH} random bytes
     */
    public static byte[] newSecret() {
        byte[] secret = new byte[SECRET_LENGTH];
        Random.INSTANCE.nextBytes(secret);
        return secret;
    }

    /**
     * Returns the child's hello, with a nonce of its own: computed before the child connects, so that it leaves at
     * once. The nonce need only differ from every other: the system's clock and two identity hashes (random in
     * HotSpot) see to that without SecureRandom, and without {@code ProcessHandle}, whose first use costs the child's
     * main thread 10 ms and more.
     */
    static byte[] hello(byte[] secret) {
        byte[] nonce = ByteBuffer.allocate(NONCE_LENGTH).putLong(System.nanoTime())
                .putInt(System.identityHashCode(new Object())).putInt(System.identityHashCode(secret)).array();
        return ByteBuffer.allocate(HELLO_LENGTH).putInt(MAGIC).put((byte) VERSION).put(nonce)
                .put(HmacSha256.mac(secret, CHILD, nonce)).array();
    }

    /**
     * Returns whether a child's complete hello proves that its sender knows {@code secret}.
     *
     * @param hello {@link #HELLO_LENGTH} bytes
     * @param secret the secret this child was given
     * @return whether the peer is that child
     */
    static boolean checkHello(byte[] hello, byte[] secret) {
        ByteBuffer b = ByteBuffer.wrap(hello);
        if (hello.length != HELLO_LENGTH || b.getInt() != MAGIC || b.get() != VERSION) {
            return false;
        }
        byte[] proof = HmacSha256.mac(secret, CHILD, nonce(hello));
        return HmacSha256.equal(proof, Arrays.copyOfRange(hello, HELLO_LENGTH - HmacSha256.LENGTH,
                HELLO_LENGTH));
    }

    /** The parent's proof for a hello that {@link #checkHello} accepted. */
    static byte[] parentProof(byte[] hello, byte[] secret) {
        return HmacSha256.mac(secret, PARENT, nonce(hello));
    }

    private static byte[] nonce(byte[] hello) {
        return Arrays.copyOfRange(hello, 5, 5 + NONCE_LENGTH);
    }

    /**
     * The parent's side of the handshake on blocking streams: reads a child's hello and, if it proves the secret,
     * writes the parent's proof to {@code out} without flushing it (it leaves with the settings).
     *
     * @param in the connection's input
     * @param out the connection's output
     * @param secret the secret this child was given
     * @return whether the peer is that child; nothing was written if not
     * @throws EOFException if the peer closed the connection before it said all
     * @throws IOException if the connection fails
     */
    public static boolean acceptHello(InputStream in, OutputStream out, byte[] secret) throws IOException {
        byte[] hello = new byte[HELLO_LENGTH];
        new DataInputStream(in).readFully(hello);
        if (!checkHello(hello, secret)) {
            return false;
        }
        out.write(parentProof(hello, secret));
        return true;
    }

    /**
     * Sends the child its settings, after the parent's proof, once the child proved itself.
     *
     * @param out the connection's output
     * @param mode {@link #MODE_ONE_SHOT} or {@link #MODE_WORKER}
     * @param haltOnParentLoss whether the child halts when the parent is gone
     * @param name the child's name (a standby child learns it only now)
     * @param stderrMarker what the child writes to its stderr before it answers, which the parent's pump takes out
     *     of the stream (see {@link #newStderrMarker}); empty when nobody reads the child's stderr for it
     * @param flush whether to push them out now, or leave them buffered for the task that follows
     * @throws IOException if the connection fails
     */
    public static void sendSettings(OutputStream out, int mode, boolean haltOnParentLoss, String name,
            byte[] stderrMarker, boolean flush) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeByte(mode);
        data.writeByte(haltOnParentLoss ? 1 : 0);
        data.writeUTF(name);
        data.writeByte(stderrMarker.length);
        data.write(stderrMarker);
        if (flush) {
            data.flush();
        }
    }

    /** What the parent sent in {@link #sendSettings}. */
    public record Settings(int mode, boolean halt, String name, byte[] stderrMarker) {
    }

    /** How long a stderr marker is: long enough that no output contains it by chance. */
    public static final int STDERR_MARKER_LENGTH = 16;

    /**
     * A new marker for a child's stderr: a zero byte, then random bytes that are neither zero nor a line end. Its first
     * byte occurs nowhere else in it, so a scanner that meets a mismatch never has to look back.
     *
     * @return {@link #STDERR_MARKER_LENGTH} bytes
     */
    public static byte[] newStderrMarker() {
        byte[] marker = new byte[STDERR_MARKER_LENGTH];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 1; i < marker.length; i++) {
            byte b;
            do {
                b = (byte) random.nextInt(256);
            } while (b == 0 || b == '\n' || b == '\r');
            marker[i] = b;
        }
        return marker;
    }

    /** The peer a child connected to did not prove that it knows the child's secret: it is not the child's parent. */
    public static final class NotTheParentException extends IOException {
        private static final long serialVersionUID = 1L;

        NotTheParentException(String message) {
            super(message);
        }
    }

    /**
     * The child's side: reads the parent's proof and compares it with {@code expected} (its {@link #parentProof}
     * for the child's hello, computed while the child waits), then the settings.
     *
     * @throws NotTheParentException if the proof is wrong; nothing after it was read
     * @throws EOFException if the parent closed the connection first
     */
    static Settings readSettings(InputStream in, byte[] expected) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] proof = new byte[HmacSha256.LENGTH];
        data.readFully(proof);
        if (!HmacSha256.equal(proof, expected)) {
            throw new NotTheParentException("the process that answered did not prove it knows this child's secret");
        }
        if (data.readInt() != MAGIC) {
            throw new StreamCorruptedException("the parent did not accept this child");
        }
        int mode = data.readUnsignedByte();
        boolean halt = data.readUnsignedByte() != 0;
        String name = data.readUTF();
        byte[] marker = new byte[data.readUnsignedByte()];
        data.readFully(marker);
        return new Settings(mode, halt, name, marker);
    }
}
