package io.github.multiproc.internal.child;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.channel.ChannelStreams;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child whose policy lets it outlive its parent ({@code DETACH}, {@code WAIT}) is told so on its command line: its
 * parent may be gone before the child has read its settings (the parent exits as soon as the task is handed over),
 * and the child must still run its task. Here the parent's pid names a process that has already ended, and this test
 * plays the parent's end of the channel.
 */
@Timeout(60)
final class OutlivesParentTest {

    private static TaskCall markerTask(String marker) {
        return (TaskCall & Serializable) () -> {
            Files.writeString(Path.of(marker), "ran");
            return null;
        };
    }

    /** Runs ChildMain with a parent that is gone, and {@code sixth} as its sixth argument (if not null). */
    private static Process childOfAGoneParent(int port, Path keyFile, String sixth) throws Exception {
        Process gone = new ProcessBuilder("sleep", "0.1").start();
        long goneStart = ProcessStart.of(gone.toHandle());
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), "tcp:" + port,
                keyFile.toString(), Long.toString(gone.pid()), Long.toString(goneStart), "child-1"));
        if (sixth != null) {
            command.add(sixth);
        }
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Accepts the child and hands it the task, as the parent's end does for a detached child; false if it left. */
    private static boolean handOver(ServerSocketChannel server, byte[] secret, Path marker) {
        try (SocketChannel c = server.accept()) {
            InputStream in = new BufferedInputStream(ChannelStreams.in(c));
            OutputStream out = new BufferedOutputStream(ChannelStreams.out(c));
            if (!ChannelProtocol.acceptHello(in, out, secret)) {
                return false;
            }
            ChannelProtocol.sendSettings(out, ChannelProtocol.MODE_ONE_SHOT, false, "child-1", new byte[0],
                    false);
            new FrameIO(in, out).writeStandalone(Frame.TASK, 1,
                    FrameIO.serializeStandalone(markerTask(marker.toString())));
            in.readAllBytes(); // until the child is gone
            return true;
        } catch (Exception e) {
            return false; // the child halted before or during the handshake
        }
    }

    /** A fake parent's listening end, and the child's key file with its secret. */
    private static final class FakeParent implements AutoCloseable {
        final byte[] secret = ChannelProtocol.newSecret();
        final Path keyFile;
        final ServerSocketChannel server;
        final int port;

        FakeParent(Path dir) throws Exception {
            keyFile = dir.resolve("c1.key");
            Files.write(keyFile, secret);
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    @Test
    void childThatOutlivesItsParent_parentGoneBeforeItsSettings_stillRunsItsTask(@TempDir Path dir)
            throws Exception {
        Path marker = dir.resolve("ran");
        try (FakeParent parent = new FakeParent(dir)) {
            Process child = childOfAGoneParent(parent.port, parent.keyFile, ChildMain.OUTLIVES_PARENT);
            CompletableFuture<Boolean> handedOver = CompletableFuture.supplyAsync(() -> handOver(parent.server,
                    parent.secret, marker));
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(handedOver.completeOnTimeout(false, 1, TimeUnit.SECONDS).join()).as("the child connected")
                    .isTrue();
            assertThat(marker).as("the task ran").exists();
            assertThat(child.exitValue()).isZero();
        }
    }

    @Test
    void childThatEndsWithItsParent_parentGone_haltsWithoutRunningTheTask(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        try (FakeParent parent = new FakeParent(dir)) {
            Process child = childOfAGoneParent(parent.port, parent.keyFile, null);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(ChannelProtocol.EXIT_PARENT_LOST);
            assertThat(marker).doesNotExist();
        }
    }
}
