package io.github.multiproc.internal.child;

import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.channel.ChannelStreams;
import io.github.multiproc.internal.ipc.IpcTraining;
import io.github.multiproc.internal.task.LambdaForm;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PayloadException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of the JVM that makes the class-data archive or AOT cache for child JVMs (run with
 * {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput}): it plays both ends of a task channel in one JVM, a
 * parent on a thread and {@link ChildMain} on the main thread, so that the archive holds what a real child loads, from
 * the socket and the handshake to the lambda machinery, serialization and the answer; then {@link ChildMain} exits,
 * and the JVM writes the archive (or starts the JVM that writes the cache from what it recorded).
 *
 * <p>Arguments: {@code <parent pid> <parent start> [<work directory>]}, the library JVM that started this one, which
 * {@link ChildMain} watches as it would its parent, and a private directory for the channel's socket and key file,
 * which that JVM deletes once this one has ended.
 */
public final class ClassDataTraining {
    private ClassDataTraining() {
    }

    /**
     * Runs one task through a channel, then exits.
     *
     * @param args see the class comment
     * @throws Exception if the channel cannot be set up; no archive is then used
     */
    public static void main(String[] args) throws Exception {
        // the directory its parent made for it and deletes after it, whatever ends it (a halt skips hooks)
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("multiproc-cds-");
        Path socketFile = dir.resolve("s");
        Path keyFile = dir.resolve("k");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(socketFile);
                Files.deleteIfExists(keyFile);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temporary directory the system cleans
            }
        }));
        byte[] secret = ChannelProtocol.newSecret();
        Files.write(keyFile, secret);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketFile), 1);
        Thread parent = new Thread(() -> serveOneTask(server, secret), "multiproc-cds-parent");
        parent.setDaemon(true);
        parent.start();
        for (Class<?> type : StandbyWarmUp.taskClasses()) {
            java.io.ObjectStreamClass.lookup(type);
        }
        StandbyWarmUp.roundTrip((TaskCall & java.io.Serializable) () -> "trained", 0);
        try {
            IpcTraining.run(dir); // what a child's first use of a shared object's handle loads and spins
        } catch (Exception | LinkageError e) {
            // the archive is made without them: a child that uses them loads them as it would without an archive
        }
        ChildMain.main(new String[] {"unix:" + socketFile, keyFile.toString(), args[0], args[1], "training"});
    }

    private static void serveOneTask(ServerSocketChannel server, byte[] secret) {
        try (SocketChannel socket = server.accept()) {
            InputStream in = new BufferedInputStream(ChannelStreams.in(socket), 1 << 16);
            OutputStream out = new BufferedOutputStream(ChannelStreams.out(socket), 1 << 16);
            if (!ChannelProtocol.acceptHello(in, out, secret)) {
                return;
            }
            ChannelProtocol.sendSettings(out, ChannelProtocol.MODE_ONE_SHOT, true, "training", new byte[0],
                    false);
            FrameIO io = new FrameIO(in, out);
            TaskCall task = (TaskCall & java.io.Serializable) () -> "training " + ProcessHandle.current().pid();
            // the form most tasks travel in; the serialization path was trained above (roundTrip)
            io.writeStandalone(Frame.TASK, 1, LambdaForm.encode(task));
            Frame frame;
            while ((frame = io.read()) != null) {
                if (frame.type() != Frame.STDERR_MARK && frame.type() != Frame.RESULT_PLAIN) {
                    io.decode(frame);
                }
            }
        } catch (IOException | PayloadException e) {
            // the child's side reports nothing either: no archive is used if this JVM does not exit with 0
        }
    }
}
