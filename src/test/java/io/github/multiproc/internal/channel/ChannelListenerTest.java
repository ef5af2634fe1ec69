package io.github.multiproc.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parent's end of a channel: only the peer that proves it holds the child's secret gets in, and gets the parent's
 * proof back; strangers are reported, and one that says nothing keeps nobody out.
 */
@Timeout(60)
final class ChannelListenerTest {
    /** What the listener reported, as "warn: ..." and "debug: ..." lines. */
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final ChannelLog log = new ChannelLog() {
        @Override
        public void warn(String format, Object... args) {
            reported.add("warn: " + format);
        }

        @Override
        public void debug(String format, Object... args) {
            reported.add("debug: " + format);
        }
    };

    private static SocketChannel connect(String address) throws Exception {
        if (address.startsWith("unix:")) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.connect(UnixDomainSocketAddress.of(address.substring(5)));
            return c;
        }
        return SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(address.substring(4))));
    }

    /** Sends a child's hello for {@code secret}; returns it. */
    private static byte[] hello(SocketChannel c, byte[] secret) throws Exception {
        byte[] hello = ChannelProtocol.hello(secret);
        ByteBuffer bytes = ByteBuffer.wrap(hello);
        while (bytes.hasRemaining()) {
            c.write(bytes);
        }
        return hello;
    }

    private static CompletableFuture<ChannelListener.Connection> acceptAsync(ChannelListener listener) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void accept_wrongSecretDropped_rightSecretAcceptedAndAnsweredWithParentProof(@TempDir Path runDir)
            throws Exception {
        ChannelListener listener = ChannelListener.open(runDir, 1, false, log);
        Path keyFile = listener.keyFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        byte[] secret = Files.readAllBytes(keyFile);
        assertThat(secret).hasSize(32);
        CompletableFuture<ChannelListener.Connection> accepted = acceptAsync(listener);

        byte[] wrong = secret.clone();
        wrong[0] ^= 1;
        try (SocketChannel intruder = connect(listener.address())) {
            hello(intruder, wrong);
            // dropped: the listener closes it without a word, and the intruder reads the end of the stream
            assertThat(intruder.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
        assertThat(accepted).isNotDone();
        assertThat(reported).anyMatch(line -> line.startsWith("warn: ")
                && line.contains("without this child's secret"));

        try (SocketChannel child = connect(listener.address())) {
            byte[] hello = hello(child, secret);
            ChannelListener.Connection c = accepted.get(30, TimeUnit.SECONDS);
            c.out().flush();
            ByteBuffer proof = ByteBuffer.allocate(32);
            while (proof.hasRemaining() && child.read(proof) >= 0) {
                continue;
            }
            assertThat(proof.array()).isEqualTo(ChannelProtocol.parentProof(hello, secret));
            c.close();
        }
        // once accepted, nothing else can connect and the key file is gone
        assertThat(Files.exists(keyFile)).isFalse();
    }

    @Test
    void accept_silentStrangerConnectedFirst_childAcceptedWithoutWaitingForIt(@TempDir Path runDir)
            throws Exception {
        // the stranger is given an hour to speak: only hearing peers at the same time lets the child in
        ChannelListener listener = ChannelListener.open(runDir, 2, true, log, Duration.ofHours(1));
        byte[] secret = Files.readAllBytes(listener.keyFile());
        CompletableFuture<ChannelListener.Connection> accepted = acceptAsync(listener);
        try (SocketChannel stranger = connect(listener.address());
                SocketChannel child = connect(listener.address())) {
            hello(child, secret);
            ChannelListener.Connection c = accepted.get(30, TimeUnit.SECONDS);
            assertThat(c.socket().isConnected()).isTrue();
            c.close();
            // and the stranger is let go with the listener
            assertThat(stranger.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        } finally {
            listener.close();
        }
    }

    @Test
    void accept_strangerSilentPastItsDeadline_droppedAndReported(@TempDir Path runDir) throws Exception {
        ChannelListener listener = ChannelListener.open(runDir, 3, true, log, Duration.ofMillis(200));
        CompletableFuture<ChannelListener.Connection> accepted = acceptAsync(listener);
        try (SocketChannel stranger = connect(listener.address())) {
            assertThat(stranger.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
        assertThat(reported).anyMatch(line -> line.startsWith("warn: ") && line.contains("did not say hello"));
        assertThat(accepted).isNotDone();

        listener.close();
        assertThatThrownBy(() -> accepted.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    @Test
    void open_unixSocketCannotBeBound_fallsBackToLoopbackTcpWithAWarning(@TempDir Path runDir) throws Exception {
        Files.createDirectory(runDir.resolve("c7.sock")); // something else already there: bind fails
        ChannelListener listener = ChannelListener.open(runDir, 7, false, log);
        try {
            assertThat(listener.address()).startsWith("tcp:");
            assertThat(reported).anyMatch(line -> line.startsWith("warn: ")
                    && line.contains("using loopback TCP"));
        } finally {
            listener.close();
        }
        assertThat(Files.exists(runDir.resolve("c7.key"))).isFalse();
    }

    @Test
    void open_tcpAskedFor_noWarning(@TempDir Path runDir) throws Exception {
        ChannelListener listener = ChannelListener.open(runDir, 8, true, log);
        listener.close();
        assertThat(listener.address()).startsWith("tcp:");
        assertThat(reported).isEmpty();
    }
}
