package io.github.multiproc;

import io.github.multiproc.internal.ChannelProtocol;
import io.github.multiproc.internal.Frame;
import io.github.multiproc.internal.FrameIO;
import io.github.multiproc.internal.PayloadException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import io.github.multiproc.internal.ChannelStreams;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's end of a one-shot task child's private channel: a listening socket made for this child alone (a
 * Unix-domain socket in the 0700 run directory, or loopback TCP), the child's secret in a 0600 key file beside it,
 * and the thread {@code multiproc-<name>} that accepts the child, checks its secret, sends the task and reads the
 * outcome until the child's end closes the channel.
 *
 * <p>Thread safety: {@link #processExited()} and {@link #close()} may be called from any thread.
 */
final class TaskChannel {
    private static final Logger LOG = LoggerFactory.getLogger(TaskChannel.class);
    /** How long a connected peer has to present its secret. */
    private static final long HELLO_TIMEOUT_MS = 10_000;

    /**
     * What the child sent.
     *
     * @param kind one of the constants
     * @param value the task's value, for {@link #VALUE}
     * @param error the exception, for the other kinds
     */
    record Outcome(int kind, Object value, Throwable error) {
        static final int NONE = 0;
        static final int VALUE = 1;
        static final int FAILED = 2;
        static final int UNREADABLE = 3;
        static final int UNSENDABLE = 4;
        static final int GARBLED = 5;
        static final Outcome EMPTY = new Outcome(NONE, null, null);
    }

    private final ServerSocketChannel server;
    private final Path socketFile;
    private final Path keyFile;
    private final byte[] secret;
    private final String address;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SocketChannel connection;

    private TaskChannel(ServerSocketChannel server, Path socketFile, Path keyFile, byte[] secret, String address) {
        this.server = server;
        this.socketFile = socketFile;
        this.keyFile = keyFile;
        this.secret = secret;
        this.address = address;
    }

    /** Opens the listening end and writes the key file; the child is started after this. */
    static TaskChannel open(Path runDir, long id) throws IOException {
        byte[] secret = ChannelProtocol.newSecret();
        Path keyFile = runDir.resolve("c" + id + ".key");
        if (Settings.isWindows()) {
            Files.write(keyFile, secret);
        } else {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(keyFile, secret);
        }
        Path socketFile = runDir.resolve("c" + id + ".sock");
        boolean unix = !"tcp".equals(Settings.transport()) && socketFile.toString().length() < 100;
        ServerSocketChannel server;
        String address;
        try {
            if (unix) {
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(socketFile), 1);
                address = "unix:" + socketFile;
            } else {
                server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                address = "tcp:" + ((InetSocketAddress) server.getLocalAddress()).getPort();
                socketFile = null;
            }
        } catch (IOException | UnsupportedOperationException e) {
            Files.deleteIfExists(keyFile);
            throw e instanceof IOException ? (IOException) e : new IOException(e);
        }
        return new TaskChannel(server, socketFile, keyFile, secret, address);
    }

    String address() {
        return address;
    }

    Path keyFile() {
        return keyFile;
    }

    /** Starts the channel's thread: accept, authenticate, send {@code payload}, read the outcome. */
    void start(ChildHandle<?> child, byte[] payload, boolean haltOnParentLoss) {
        Thread t = new Thread(() -> {
            Outcome outcome = Outcome.EMPTY;
            try {
                outcome = serve(payload, haltOnParentLoss);
            } catch (IOException e) {
                LOG.debug("{}: channel ended: {}", child.name(), e.toString());
            } catch (RuntimeException | Error e) {
                LOG.error("{}: channel failed", child.name(), e);
            } finally {
                close();
                child.channelDone(outcome);
            }
        }, "multiproc-" + child.name());
        t.setDaemon(true);
        t.start();
    }

    private Outcome serve(byte[] payload, boolean haltOnParentLoss) throws IOException {
        InputStream in;
        OutputStream out;
        while (true) {
            SocketChannel candidate = server.accept();
            // a peer that connects and says nothing must not hold the channel forever
            var timeout = ProcessTree.TIMER.schedule(() -> closeQuietly(candidate), HELLO_TIMEOUT_MS,
                    TimeUnit.MILLISECONDS);
            in = new BufferedInputStream(ChannelStreams.in(candidate), 1 << 16);
            boolean ok;
            try {
                ok = ChannelProtocol.checkHello(in, secret);
                if (!ok) {
                    LOG.warn("a process connected to {} without this child's secret; dropped", address);
                }
            } catch (IOException e) {
                ok = false; // the peer went away before it finished: a child that died while connecting
                LOG.debug("{}: connection closed during the handshake: {}", address, e.toString());
            }
            timeout.cancel(false);
            if (ok) {
                connection = candidate;
                out = new BufferedOutputStream(ChannelStreams.out(candidate), 1 << 16);
                break;
            }
            closeQuietly(candidate);
        }
        closeQuietly(server);
        deleteFiles();
        if (closed.get()) {
            closeQuietly(connection);
        }
        ChannelProtocol.sendSettings(out, ChannelProtocol.MODE_ONE_SHOT, haltOnParentLoss);
        FrameIO io = new FrameIO(in, out);
        io.writeStandalone(Frame.TASK, 1, payload);
        Outcome outcome = Outcome.EMPTY;
        Frame frame;
        while ((frame = io.read()) != null) {
            Object decoded;
            try {
                decoded = io.decode(frame);
            } catch (PayloadException e) {
                outcome = new Outcome(Outcome.GARBLED, null, e.getCause());
                continue;
            }
            switch (frame.type()) {
                case Frame.RESULT:
                    outcome = new Outcome(Outcome.VALUE, decoded, null);
                    break;
                case Frame.FAILED:
                    outcome = new Outcome(Outcome.FAILED, null, asThrowable(decoded));
                    break;
                case Frame.TASK_UNREADABLE:
                    outcome = new Outcome(Outcome.UNREADABLE, null, asThrowable(decoded));
                    break;
                case Frame.RESULT_UNSENDABLE:
                    outcome = new Outcome(Outcome.UNSENDABLE, null, asThrowable(decoded));
                    break;
                default:
                    LOG.debug("ignoring message {} from the child", frame.kind());
            }
        }
        return outcome;
    }

    private static Throwable asThrowable(Object decoded) {
        return decoded instanceof Throwable ? (Throwable) decoded
                : new IllegalStateException("the child sent " + decoded + " as an exception");
    }

    /** The process has exited: if it never connected, nothing will. */
    void processExited() {
        if (connection == null) {
            close();
        }
    }

    /** Releases the socket and files; unblocks the channel thread. Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(server);
            SocketChannel c = connection;
            if (c != null) {
                closeQuietly(c);
            }
            deleteFiles();
        }
    }

    private void deleteFiles() {
        try {
            Files.deleteIfExists(keyFile);
            if (socketFile != null) {
                Files.deleteIfExists(socketFile);
            }
        } catch (IOException e) {
            LOG.debug("cannot delete channel files of {}", address, e);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
