package io.github.multiproc.internal.channel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The handshake that opens every task channel, before any frame: the child sends {@code MAGIC}, the protocol version
 * and its secret; the parent compares the secret in constant time and answers with the child's settings. Only raw
 * bytes are read until then: nothing is deserialized from an unauthenticated peer.
 */
public final class ChannelProtocol {
    /** {@code "MPRC"}. */
    static final int MAGIC = 0x4d505243;
    /** 2: a message longer than {@code FrameIO.LARGE} adds nothing to the connection's descriptor tables. */
    static final int VERSION = 2;
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

    static void sendHello(OutputStream out, byte[] secret) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeByte(VERSION);
        data.write(secret);
        data.flush();
    }

    /**
     * Reads a child's hello and checks its secret.
     *
     * @param in the connection's input
     * @param expected the secret this child was given
     * @return whether the peer is that child
     * @throws EOFException if the peer closed the connection before it said all
     * @throws IOException if the connection fails
     */
    public static boolean checkHello(InputStream in, byte[] expected) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC || data.readUnsignedByte() != VERSION) {
            return false;
        }
        byte[] secret = new byte[SECRET_LENGTH];
        data.readFully(secret);
        return MessageDigest.isEqual(secret, expected);
    }

    /**
     * Sends the child its settings once its secret was accepted.
     *
     * @param out the connection's output
     * @param mode {@link #MODE_ONE_SHOT} or {@link #MODE_WORKER}
     * @param haltOnParentLoss whether the child halts when the parent is gone
     * @param name the child's name (a standby child learns it only now)
     * @param flush whether to push them out now, or leave them buffered for the task that follows
     * @throws IOException if the connection fails
     */
    public static void sendSettings(OutputStream out, int mode, boolean haltOnParentLoss, String name,
            boolean flush) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeByte(mode);
        data.writeByte(haltOnParentLoss ? 1 : 0);
        data.writeUTF(name);
        if (flush) {
            data.flush();
        }
    }

    /** What the parent sent in {@link #sendSettings}. */
    public record Settings(int mode, boolean halt, String name) {
    }

    static Settings readSettings(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readInt() != MAGIC) {
            throw new StreamCorruptedException("the parent did not accept this child");
        }
        int mode = data.readUnsignedByte();
        boolean halt = data.readUnsignedByte() != 0;
        return new Settings(mode, halt, data.readUTF());
    }
}
