package io.github.multiproc.internal.child;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child whose parent went away while it started (its key file gone with the parent's run directory, or the channel
 * closed in the middle of the handshake) exits with {@link ChannelProtocol#EXIT_PARENT_LOST} and writes nothing to
 * its stderr, which is the user's: a pool's {@code close()} ends workers still starting, and a parent's exit ends its
 * standbys, every day.
 */
@Timeout(60)
final class QuietParentLossTest {
    @TempDir
    Path dir;

    /** ChildMain with this JVM as its parent; returns the process, its stderr captured to a file. */
    private Process child(String address, Path keyFile, Path stderr) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ChildMain.class.getName(), address, keyFile.toString(),
                Long.toString(self.pid()), Long.toString(ProcessStart.of(self)), "child-1", ChildMain.STANDBY))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
    }

    @Test
    void keyFileGone_exitsAsParentLost_silently() throws Exception {
        Path stderr = dir.resolve("stderr");
        Process child = child("unix:" + dir.resolve("no.sock"), dir.resolve("no.key"), stderr);
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(ChannelProtocol.EXIT_PARENT_LOST);
        assertThat(Files.readString(stderr, StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void channelClosedMidHandshake_exitsAsParentLost_silently() throws Exception {
        Path key = dir.resolve("k");
        Files.write(key, ChannelProtocol.newSecret());
        Path stderr = dir.resolve("stderr");
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            // the "parent" takes the connection and drops it at once, as one that closes a starting worker does
            CompletableFuture<Void> dropped = CompletableFuture.runAsync(() -> {
                try (SocketChannel accepted = server.accept()) {
                    accepted.setOption(java.net.StandardSocketOptions.SO_LINGER, 0); // a reset, not only an EOF
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Process child = child("tcp:" + port, key, stderr);
            dropped.get(30, TimeUnit.SECONDS);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(ChannelProtocol.EXIT_PARENT_LOST);
        }
        assertThat(Files.readString(stderr, StandardCharsets.UTF_8)).isEmpty();
    }
}
