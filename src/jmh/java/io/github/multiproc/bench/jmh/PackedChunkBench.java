package io.github.multiproc.bench.jmh;

import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PackedList;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A {@code map} chunk of 1,000 {@code Integer}s on the wire, encoded and decoded with the library's codec over a
 * connection in memory: packed ({@link PackedList}, the values one after another, as {@code map} sends its
 * chunks and results) against the plain {@link ArrayList} of boxed values that it replaced. The bytes per chunk of
 * each are printed at the start of each trial. Eight warm-up seconds, as for {@link FrameCodecBench}.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PackedChunkBench {
    static final int ITEMS = 1_000;

    private ArrayList<Integer> items;
    private PackedList packed;
    private long id;

    private MemoryLink link;
    private FrameIO sender;
    private FrameIO receiver;

    /** JMH instantiates the state. */
    public PackedChunkBench() {
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        items = new ArrayList<>(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            items.add(i);
        }
        packed = new PackedList(items);
        link = new MemoryLink();
        sender = new FrameIO(InputStream.nullInputStream(), new BufferedOutputStream(link.out(), 1 << 16));
        receiver = new FrameIO(new BufferedInputStream(link.in(), 1 << 16), OutputStream.nullOutputStream());

        // the first message of each kind carries its class descriptors; measure the ones after it
        check(packedList());
        check(arrayList());
        sender.write(Frame.RESULT, ++id, packed);
        int packedSize = link.pending();
        check(receiver.decode(receiver.read()));
        link.drained();
        sender.write(Frame.RESULT, ++id, items);
        int listSize = link.pending();
        check(receiver.decode(receiver.read()));
        link.drained();
        System.out.printf("%nbytes per 1,000-item chunk: packedList %d, arrayList %d (with the 13-byte frame header)%n",
                packedSize, listSize);
    }

    private void check(Object decoded) {
        if (!items.equals(decoded)) {
            throw new AssertionError("the chunk came back different");
        }
    }

    @Benchmark
    public Object packedList() throws Exception {
        sender.write(Frame.RESULT, ++id, packed);
        Object list = receiver.decode(receiver.read());
        link.drained();
        return list;
    }

    @Benchmark
    public Object arrayList() throws Exception {
        sender.write(Frame.RESULT, ++id, items);
        Object list = receiver.decode(receiver.read());
        link.drained();
        return list;
    }
}
