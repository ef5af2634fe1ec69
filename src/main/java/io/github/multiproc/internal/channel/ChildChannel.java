package io.github.multiproc.internal.channel;

import io.github.multiproc.internal.wire.FrameIO;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * The child's end of its channel: it connects to the parent's {@link ChannelListener}, proves that it knows its
 * secret, checks that the parent does too ({@link ChannelProtocol}), and reads its settings; frames go both ways
 * through {@link #io} after that.
 *
 * <p>Thread safety: {@link #io} reads on one thread and writes on another; {@link #close()} from any thread.
 */
public final class ChildChannel {
    /** The frames to and from the parent. */
    public final FrameIO io;
    /** What the parent sent once it accepted this child. */
    public final ChannelProtocol.Settings settings;
    private final SocketChannel socket;

    private ChildChannel(SocketChannel socket, FrameIO io, ChannelProtocol.Settings settings) {
        this.socket = socket;
        this.io = io;
        this.settings = settings;
    }

    /** Closes the connection; a thread blocked reading it returns. */
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    /**
     * Connects to the parent, proves this child with its secret, checks the parent's proof, and reads the settings the
     * parent answers with.
     *
     * @param address {@code unix:<path>} or {@code tcp:<port>}
     * @param secret this child's secret, from its key file
     * @param waiting run once the child has proved itself and waits for the parent's answer and settings (a standby
     *     child may wait long there)
     * @return the connection
     * @throws ChannelProtocol.NotTheParentException if the peer did not prove that it knows the secret (nothing of
     *     what it sent was deserialized)
     * @throws IOException if the parent is gone or does not accept this child
     */
    public static ChildChannel connect(String address, byte[] secret, Runnable waiting) throws IOException {
        byte[] hello = ChannelProtocol.hello(secret);
        SocketChannel socket;
        if (address.startsWith("unix:")) {
            SocketAddress where = UnixDomainSocketAddress.of(address.substring(5));
            socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            socket.connect(where);
        } else if (address.startsWith("tcp:")) {
            socket = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(address.substring(4))));
            socket.socket().setTcpNoDelay(true);
        } else {
            throw new IllegalArgumentException("bad channel address " + address);
        }
        InputStream in = new BufferedInputStream(ChannelStreams.in(socket), 1 << 16);
        OutputStream out = new BufferedOutputStream(ChannelStreams.out(socket), 1 << 16);
        out.write(hello);
        out.flush();
        waiting.run();
        // while the parent checks the hello (or, for a standby child, long before it has a task)
        byte[] parentProof = ChannelProtocol.parentProof(hello, secret);
        ChannelProtocol.Settings settings = ChannelProtocol.readSettings(in, parentProof);
        return new ChildChannel(socket, new FrameIO(in, out), settings);
    }
}
