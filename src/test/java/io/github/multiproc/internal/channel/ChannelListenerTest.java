package io.github.multiproc.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The parent's end of a channel: only the peer holding the child's secret gets in, and a stranger is reported. */
@Timeout(60)
final class ChannelListenerTest {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-timer");
        t.setDaemon(true);
        return t;
    });

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

    private static void hello(SocketChannel c, byte[] secret) throws Exception {
        DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
        out.writeInt(0x4d505243); // "MPRC"
        out.writeByte(ChannelProtocol.VERSION);
        out.write(secret);
        out.flush();
    }

    @Test
    void accept_wrongSecretDropped_rightSecretAccepted(@TempDir Path runDir) throws Exception {
        ChannelListener listener = ChannelListener.open(runDir, 1, false, TIMER, log);
        Path keyFile = listener.keyFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        byte[] secret = Files.readAllBytes(keyFile);
        assertThat(secret).hasSize(32);
        CompletableFuture<ChannelListener.Connection> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        byte[] wrong = secret.clone();
        wrong[0] ^= 1;
        try (SocketChannel intruder = connect(listener.address())) {
            hello(intruder, wrong);
            // dropped: the listener closes it, and the intruder reads the end of the stream
            assertThat(intruder.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
        assertThat(accepted).isNotDone();
        assertThat(reported).anyMatch(line -> line.startsWith("warn: ")
                && line.contains("without this child's secret"));

        try (SocketChannel child = connect(listener.address())) {
            hello(child, secret);
            ChannelListener.Connection c = accepted.get(10, TimeUnit.SECONDS);
            assertThat(c.socket().isConnected()).isTrue();
            c.close();
        }
        // once accepted, nothing else can connect and the key file is gone
        assertThat(Files.exists(keyFile)).isFalse();
    }

    @Test
    void open_unixSocketCannotBeBound_fallsBackToLoopbackTcp(@TempDir Path runDir) throws Exception {
        Files.createDirectory(runDir.resolve("c7.sock")); // something else already there: bind fails
        ChannelListener listener = ChannelListener.open(runDir, 7, false, TIMER, log);
        try {
            assertThat(listener.address()).startsWith("tcp:");
            assertThat(reported).anyMatch(line -> line.startsWith("debug: ")
                    && line.contains("using loopback TCP"));
        } finally {
            listener.close();
        }
        assertThat(Files.exists(runDir.resolve("c7.key"))).isFalse();
    }
}
