package io.github.multiproc.internal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.child.ChildMain;
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
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child's end of a channel, in a real child JVM: it runs nothing for a peer that cannot prove it knows the
 * child's secret, as when another process has taken a dead parent's loopback port.
 */
@Timeout(60)
final class ChildChannelTest {

    /** The task a fake parent sends: it leaves a file behind if it runs. */
    private static TaskCall markerTask(String marker) {
        return (TaskCall & Serializable) () -> Files.writeString(Path.of(marker), "ran");
    }

    @Test
    void connect_parentWithoutTheSecret_childExitsWithoutRunningTheTask(@TempDir Path dir) throws Exception {
        byte[] secret = ChannelProtocol.newSecret();
        byte[] wrong = ChannelProtocol.newSecret();
        Path keyFile = dir.resolve("c1.key");
        Files.write(keyFile, secret);
        Path marker = dir.resolve("ran");
        try (ServerSocketChannel impostor = ServerSocketChannel.open()) {
            impostor.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) impostor.getLocalAddress()).getPort();
            ProcessHandle self = ProcessHandle.current();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), "tcp:" + port,
                    keyFile.toString(), Long.toString(self.pid()), Long.toString(ProcessStart.of(self)), "child-1")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
                try (InputStream err = child.getErrorStream()) {
                    return new String(err.readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            try (SocketChannel c = impostor.accept()) {
                InputStream in = new BufferedInputStream(ChannelStreams.in(c));
                OutputStream out = new BufferedOutputStream(ChannelStreams.out(c));
                // the parent's side of the handshake, run with a secret that is not the child's
                byte[] hello = in.readNBytes(ChannelProtocol.HELLO_LENGTH);
                out.write(ChannelProtocol.parentProof(hello, wrong));
                ChannelProtocol.sendSettings(out, ChannelProtocol.MODE_ONE_SHOT, true, "child-1", new byte[0],
                        false);
                new FrameIO(in, out).writeStandalone(Frame.TASK, 1,
                        FrameIO.serializeStandalone(markerTask(marker.toString())));
                in.readAllBytes(); // until the child is gone
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(marker)).as("the task ran").isFalse();
            assertThat(child.exitValue()).isEqualTo(ChannelProtocol.EXIT_PARENT_LOST);
            assertThat(stderr.get(10, TimeUnit.SECONDS)).contains("did not prove");
        }
    }

    @Test
    void markerTask_whenRun_leavesItsFile(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        markerTask(marker.toString()).call();
        assertThat(Files.readAllLines(marker)).isEqualTo(List.of("ran"));
    }
}
