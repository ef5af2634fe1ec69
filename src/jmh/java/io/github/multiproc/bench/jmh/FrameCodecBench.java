package io.github.multiproc.bench.jmh;

import io.github.multiproc.SerializableCallable;
import io.github.multiproc.SerializableFunction;
import io.github.multiproc.internal.task.Calls;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-message cost of a task on the wire, encoded and decoded in one thread over a connection in memory: what the
 * parent pays to send a task and a worker to read it, without the socket. This bounds what a pool can push through
 * one connection.
 *
 * <ul>
 *   <li>{@code frameIO}: the library's codec ({@link FrameIO}: a frame per message, each a serialization stream of
 *       its own, class descriptors sent once per connection), as the pool and its workers use it;
 *   <li>{@code freshStreams}: a new {@link ObjectOutputStream} and {@link ObjectInputStream} per message (stream
 *       header and every class descriptor on every message);
 *   <li>{@code persistentReset}: one stream pair for the connection, with {@link ObjectOutputStream#reset()} before
 *       each message so that a task sent again is sent as it is now (descriptors are sent again after each reset).
 * </ul>
 *
 * <p>{@code task}: {@code callable} is what {@code pool.apply(() -> 1)} sends (the lambda in its adapter);
 * {@code apply} what {@code pool.apply(FrameCodecBench::inc, 41)} sends (a method reference and a boxed argument).
 * The bytes per message of each way are printed at the start of each trial. Eight warm-up seconds: C2 takes several to
 * settle on the serialization code.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FrameCodecBench {
    @Param({"callable", "apply"})
    public String task;

    private Object payload;
    private long id;

    private MemoryLink frameLink;
    private FrameIO sender;
    private FrameIO receiver;

    private Bytes freshBytes;

    private MemoryLink resetLink;
    private ObjectOutputStream resetOut;
    private ObjectInputStream resetIn;

    static Integer inc(Integer x) {
        return x + 1;
    }

    /** JMH instantiates the state. */
    public FrameCodecBench() {
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        switch (task) {
            case "callable":
                payload = Calls.of((SerializableCallable<Integer>) () -> 1);
                break;
            case "apply":
                payload = new Calls.Apply((SerializableFunction<Integer, Integer>) FrameCodecBench::inc, 41);
                break;
            default:
                throw new IllegalArgumentException(task);
        }

        frameLink = new MemoryLink();
        sender = new FrameIO(InputStream.nullInputStream(), new BufferedOutputStream(frameLink.out(), 1 << 16));
        receiver = new FrameIO(new BufferedInputStream(frameLink.in(), 1 << 16), OutputStream.nullOutputStream());
        freshBytes = new Bytes();
        resetLink = new MemoryLink();
        resetOut = new ObjectOutputStream(resetLink.out());
        resetOut.flush();
        resetIn = new ObjectInputStream(resetLink.in());

        // the first message of a connection carries the header and the descriptors; measure the ones after it
        check(frameIO());
        sender.write(Frame.TASK, ++id, payload);
        int frameSize = frameLink.pending();
        check(receiver.decode(receiver.read()));
        frameLink.drained();
        check(freshStreams());
        int freshSize = freshBytes.size();
        check(persistentReset());
        resetOut.reset();
        resetOut.writeObject(payload);
        resetOut.flush();
        int resetSize = resetLink.pending();
        check(resetIn.readObject());
        resetLink.drained();
        System.out.printf("%n[%s] bytes per message: frameIO %d (with its 13-byte frame header), freshStreams %d,"
                + " persistentReset %d%n", task, frameSize, freshSize, resetSize);
    }

    private static void check(Object decoded) throws Exception {
        Object value = ((io.github.multiproc.internal.task.TaskCall) decoded).call();
        if (!Integer.valueOf(1).equals(value) && !Integer.valueOf(42).equals(value)) {
            throw new AssertionError("decoded task returned " + value);
        }
    }

    @Benchmark
    public Object frameIO() throws Exception {
        sender.write(Frame.TASK, ++id, payload);
        Object task = receiver.decode(receiver.read());
        frameLink.drained();
        return task;
    }

    @Benchmark
    public Object freshStreams() throws IOException, ClassNotFoundException {
        freshBytes.reset();
        ObjectOutputStream out = new ObjectOutputStream(freshBytes);
        out.writeObject(payload);
        out.flush();
        return new ObjectInputStream(new ByteArrayInputStream(freshBytes.array(), 0, freshBytes.size()))
                .readObject();
    }

    @Benchmark
    public Object persistentReset() throws IOException, ClassNotFoundException {
        resetOut.reset();
        resetOut.writeObject(payload);
        resetOut.flush();
        Object task = resetIn.readObject();
        resetLink.drained();
        return task;
    }

    /** A byte array output stream whose array is read in place. */
    static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(1024);
        }

        byte[] array() {
            return buf;
        }
    }
}
