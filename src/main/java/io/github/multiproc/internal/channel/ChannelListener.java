package io.github.multiproc.internal.channel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The listening end of one child's private channel: a socket made for that child alone (a Unix-domain socket in the
 * 0700 run directory, or loopback TCP) and the child's secret in a 0600 key file beside it. {@link #accept()} returns
 * only a peer that presented the secret; nothing is deserialized before that.
 *
 * <p>Thread safety: {@link #close()} may be called from any thread and unblocks {@link #accept()}.
 */
public final class ChannelListener implements Closeable {
    /** How long a connected peer has to present its secret. */
    private static final long HELLO_TIMEOUT_MS = 10_000;
    /** Whether files get POSIX permissions (everywhere but Windows). */
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** An authenticated connection to a child. */
    public record Connection(SocketChannel socket, InputStream in, OutputStream out) implements Closeable {
        @Override
        public void close() {
            closeQuietly(socket);
        }
    }

    private final ServerSocketChannel server;
    private final Path socketFile;
    private final Path keyFile;
    private final byte[] secret;
    private final String address;
    private final ScheduledExecutorService timer;
    private final ChannelLog log;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChannelListener(ServerSocketChannel server, Path socketFile, Path keyFile, byte[] secret,
            String address, ScheduledExecutorService timer, ChannelLog log) {
        this.server = server;
        this.timer = timer;
        this.log = log;
        this.socketFile = socketFile;
        this.keyFile = keyFile;
        this.secret = secret;
        this.address = address;
    }

    /**
     * Opens the listening end and writes the key file; the child is started after this.
     *
     * @param runDir the private run directory, for the socket and key files
     * @param id a number unique in the run directory
     * @param tcp whether to listen on loopback TCP rather than a Unix-domain socket
     * @param timer where the deadline of a connected peer's hello is kept
     * @param log where to report strangers and failures
     * @return the listener
     * @throws IOException if the files or the socket cannot be made (nothing is left behind then)
     */
    public static ChannelListener open(Path runDir, long id, boolean tcp, ScheduledExecutorService timer,
            ChannelLog log) throws IOException {
        byte[] secret = ChannelProtocol.newSecret();
        Path keyFile = runDir.resolve("c" + id + ".key");
        if (!POSIX) {
            Files.write(keyFile, secret);
        } else {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.write(keyFile, secret);
        }
        Path socketFile = runDir.resolve("c" + id + ".sock");
        boolean unix = !tcp && socketFile.toString().length() < 100;
        ServerSocketChannel server = null;
        String address = null;
        try {
            if (unix) {
                try {
                    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    server.bind(UnixDomainSocketAddress.of(socketFile), 1);
                    address = "unix:" + socketFile;
                } catch (IOException | UnsupportedOperationException e) {
                    // no Unix-domain sockets here (an old Windows, a file system without them): loopback TCP
                    log.debug("Unix-domain socket {} unavailable, using loopback TCP: {}", socketFile, e.toString());
                    if (server != null) {
                        closeQuietly(server);
                    }
                    server = null;
                }
            }
            if (server == null) {
                server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                address = "tcp:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
                socketFile = null;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(keyFile);
            throw e;
        }
        return new ChannelListener(server, socketFile, keyFile, secret, address, timer, log);
    }

    public String address() {
        return address;
    }

    public Path keyFile() {
        return keyFile;
    }

    /**
     * Waits for the child to connect and prove itself, then stops listening and removes the files.
     *
     * @throws IOException if the listener was closed (the child died first) or failed
     */
    public Connection accept() throws IOException {
        try {
            while (true) {
                SocketChannel candidate = server.accept();
                // a peer that connects and says nothing must not hold the channel forever
                var timeout = timer.schedule(() -> closeQuietly(candidate), HELLO_TIMEOUT_MS,
                        TimeUnit.MILLISECONDS);
                InputStream in = new BufferedInputStream(ChannelStreams.in(candidate), 1 << 16);
                boolean ok;
                try {
                    ok = ChannelProtocol.checkHello(in, secret);
                    if (!ok) {
                        log.warn("a process connected to {} without this child's secret; dropped", address);
                    }
                } catch (IOException e) {
                    ok = false; // the peer went away before it finished: a child that died while connecting
                    log.debug("{}: connection closed during the handshake: {}", address, e.toString());
                }
                timeout.cancel(false);
                if (ok) {
                    if (candidate.getRemoteAddress() instanceof InetSocketAddress) {
                        candidate.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    }
                    return new Connection(candidate, in,
                            new BufferedOutputStream(ChannelStreams.out(candidate), 1 << 16));
                }
                closeQuietly(candidate);
            }
        } finally {
            close();
        }
    }

    /** Stops listening and removes the socket and key files. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(server);
            try {
                Files.deleteIfExists(keyFile);
                if (socketFile != null) {
                    Files.deleteIfExists(socketFile);
                }
            } catch (IOException e) {
                log.debug("cannot delete channel files of {}", address, e);
            }
        }
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
