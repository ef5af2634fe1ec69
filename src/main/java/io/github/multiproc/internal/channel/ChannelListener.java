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
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The listening end of one child's private channel: a socket made for that child alone (a Unix-domain socket in the
 * 0700 run directory, or loopback TCP) and the child's secret in a 0600 key file beside it. {@link #accept()} returns
 * only a peer that proved it knows the secret, and has proved this end knows it too; nothing is deserialized before.
 *
 * <p>Every peer that connects is heard at the same time, each with {@link #HELLO_TIMEOUT} to say its hello: on
 * loopback TCP any local user can connect, and one that says nothing must not keep the child out.
 *
 * <p>Thread safety: {@link #close()} may be called from any thread and unblocks {@link #accept()}.
 */
public final class ChannelListener implements Closeable {
    /**
     * How long a connected peer has to say its hello. The child computes its hello before it connects and sends it at
     * once; this is for a child slowed down by a loaded machine, and bounds how long a stranger is kept.
     */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(3);
    /** The most peers heard at once; beyond that the one waiting longest is dropped. */
    private static final int MAX_PENDING = 64;
    /** Whether files get POSIX permissions (everywhere but Windows). */
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** The logs already warned that the channel falls back to TCP: once is enough to act on. */
    private static final Map<ChannelLog, Boolean> WARNED_FALLBACK = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * An authenticated connection to a child. Its output holds this end's proof, not yet flushed: it leaves with
     * whatever is written next (the settings).
     */
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
    private final Duration helloTimeout;
    private final ChannelLog log;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The selector of a running {@link #accept()}, for {@link #close()} to wake. */
    private volatile Selector selector;

    private ChannelListener(ServerSocketChannel server, Path socketFile, Path keyFile, byte[] secret,
            String address, Duration helloTimeout, ChannelLog log) {
        this.server = server;
        this.socketFile = socketFile;
        this.keyFile = keyFile;
        this.secret = secret;
        this.address = address;
        this.helloTimeout = helloTimeout;
        this.log = log;
    }

    /**
     * Opens the listening end and writes the key file; the child is started after this.
     *
     * @param runDir the private run directory, for the socket and key files
     * @param id a number unique in the run directory
     * @param tcp whether to listen on loopback TCP rather than a Unix-domain socket
     * @param log where to report strangers, failures and a fall back to TCP
     * @return the listener
     * @throws IOException if the files or the socket cannot be made (nothing is left behind then)
     */
    public static ChannelListener open(Path runDir, long id, boolean tcp, ChannelLog log) throws IOException {
        return open(runDir, id, tcp, log, HELLO_TIMEOUT);
    }

    static ChannelListener open(Path runDir, long id, boolean tcp, ChannelLog log, Duration helloTimeout)
            throws IOException {
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
        ServerSocketChannel server = null;
        String address = null;
        try {
            if (!tcp) {
                String unavailable = "its path is too long";
                if (socketFile.toString().length() < 100) {
                    try {
                        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                        server.bind(UnixDomainSocketAddress.of(socketFile), MAX_PENDING);
                        address = "unix:" + socketFile;
                    } catch (IOException | UnsupportedOperationException e) {
                        // no Unix-domain sockets here (an old Windows, a file system without them)
                        unavailable = e.toString();
                        if (server != null) {
                            closeQuietly(server);
                        }
                        server = null;
                    }
                }
                if (server == null) {
                    warnFallback(log, socketFile, unavailable);
                }
            }
            if (server == null) {
                server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), MAX_PENDING);
                address = "tcp:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
                socketFile = null;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(keyFile);
            throw e;
        }
        return new ChannelListener(server, socketFile, keyFile, secret, address, helloTimeout, log);
    }

    /** Unix-domain sockets were asked for: a user should know that any local user can now connect. */
    private static void warnFallback(ChannelLog log, Path socketFile, String why) {
        String format = "Unix-domain socket {} unavailable ({}), using loopback TCP for channels to child JVMs, which "
                + "any local user can connect to (they still need the child's secret). Set multiproc.transport=tcp "
                + "to choose TCP, or a shorter multiproc.stateDir if the path is too long.";
        if (WARNED_FALLBACK.putIfAbsent(log, Boolean.TRUE) == null) {
            log.warn(format, socketFile, why);
        } else {
            log.debug(format, socketFile, why);
        }
    }

    public String address() {
        return address;
    }

    public Path keyFile() {
        return keyFile;
    }

    /**
     * Waits for the child to connect and prove itself, proves this end in turn, then stops listening and removes the
     * files. Peers that say nothing, too little or the wrong thing are dropped on the way.
     *
     * @return the connection; its output holds this end's proof, unflushed
     * @throws IOException if the listener was closed (the child died first) or failed
     */
    public Connection accept() throws IOException {
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        Pending child = null;
        try (Selector s = Selector.open()) {
            selector = s;
            server.configureBlocking(false);
            server.register(s, SelectionKey.OP_ACCEPT);
            while (child == null) {
                if (closed.get()) {
                    throw new AsynchronousCloseException();
                }
                s.select(dropExpired(pending));
                for (Iterator<SelectionKey> keys = s.selectedKeys().iterator(); keys.hasNext() && child == null; ) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    Pending peer = key.isAcceptable() ? admit(s, pending) : (Pending) key.attachment();
                    if (peer != null && hear(peer, pending)) {
                        child = peer;
                    }
                }
            }
        } finally {
            selector = null;
            for (Pending p : pending) {
                if (p != child) {
                    closeQuietly(p.socket);
                }
            }
            close();
        }
        SocketChannel socket = child.socket;
        try {
            socket.configureBlocking(true);
            if (socket.getRemoteAddress() instanceof InetSocketAddress) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            OutputStream out = new BufferedOutputStream(ChannelStreams.out(socket), 1 << 16);
            out.write(ChannelProtocol.parentProof(child.hello.array(), secret));
            return new Connection(socket, new BufferedInputStream(ChannelStreams.in(socket), 1 << 16), out);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /** A peer that has connected and not yet said all of its hello. */
    private static final class Pending {
        final SocketChannel socket;
        final ByteBuffer hello = ByteBuffer.allocate(ChannelProtocol.HELLO_LENGTH);
        final long deadline;

        Pending(SocketChannel socket, long deadline) {
            this.socket = socket;
            this.deadline = deadline;
        }
    }

    /** Accepts a waiting peer, if any, to be heard alongside the others; drops the oldest if too many wait. */
    private Pending admit(Selector s, ArrayDeque<Pending> pending) throws IOException {
        SocketChannel socket = server.accept();
        if (socket == null) {
            return null;
        }
        if (pending.size() >= MAX_PENDING) {
            log.warn("more than {} processes connected to {} at once without a hello; dropped the oldest",
                    MAX_PENDING, address);
            closeQuietly(pending.removeFirst().socket);
        }
        Pending peer = new Pending(socket, System.nanoTime() + helloTimeout.toNanos());
        try {
            socket.configureBlocking(false);
            socket.register(s, SelectionKey.OP_READ, peer);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
        pending.addLast(peer);
        return peer; // the child sends its hello as it connects: it is most often here already
    }

    /** Reads what a peer has sent; returns whether it is the child, and drops it if it cannot be. */
    private boolean hear(Pending peer, ArrayDeque<Pending> pending) {
        try {
            int n = peer.socket.read(peer.hello);
            if (n >= 0 && peer.hello.hasRemaining()) {
                return false; // more to come
            }
            if (n < 0) {
                // most often a child that died while connecting: nothing to act on
                log.debug("{}: a peer closed its connection during the handshake", address);
            } else if (ChannelProtocol.checkHello(peer.hello.array(), secret)) {
                return true;
            } else {
                log.warn("a process connected to {} without this child's secret; dropped", address);
            }
        } catch (IOException e) {
            log.debug("{}: connection failed during the handshake: {}", address, e.toString());
        }
        pending.remove(peer);
        closeQuietly(peer.socket);
        return false;
    }

    /** Drops the peers whose time to say hello is up; returns how long select may wait (0: no limit). */
    private long dropExpired(ArrayDeque<Pending> pending) {
        long now = System.nanoTime();
        while (!pending.isEmpty() && now - pending.peekFirst().deadline >= 0) {
            log.warn("a process connected to {} and did not say hello within {} ms; dropped", address,
                    helloTimeout.toMillis());
            closeQuietly(pending.removeFirst().socket);
        }
        if (pending.isEmpty()) {
            return 0;
        }
        return Math.max(1, (pending.peekFirst().deadline - now + 999_999) / 1_000_000);
    }

    /** Stops listening and removes the socket and key files. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Selector s = selector;
            if (s != null) {
                s.wakeup();
            }
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
