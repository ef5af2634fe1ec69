package io.github.multiproc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames over one persistent serialization stream per direction, checked in memory. */
final class FrameIOTest {
    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
    private final FrameIO sender = new FrameIO(new ByteArrayInputStream(new byte[0]), wire);

    private FrameIO receiver() {
        return new FrameIO(new ByteArrayInputStream(wire.toByteArray()), new ByteArrayOutputStream());
    }

    @Test
    void write_sameMutableObjectTwice_secondArrivesAsItIsNow() throws Exception {
        List<Integer> list = new ArrayList<>();
        sender.write(Frame.TASK, 1, list);
        list.add(42);
        sender.write(Frame.TASK, 2, list);

        FrameIO in = receiver();
        Frame first = in.read();
        Frame second = in.read();
        assertThat(first.fresh()).isTrue();
        assertThat(second.fresh()).isFalse();
        assertThat(in.decode(first)).isEqualTo(List.of());
        assertThat(in.decode(second)).isEqualTo(List.of(42));
        assertThat(in.read()).isNull();
    }

    record Point(int x, int y) implements Serializable {
    }

    @Test
    void write_sameClassAgain_sendsItsDescriptorOnlyOnce() throws Exception {
        sender.write(Frame.RESULT, 1, new Point(1, 2));
        int firstSize = wire.size();
        sender.write(Frame.RESULT, 2, new Point(3, 4));
        int secondSize = wire.size() - firstSize;
        assertThat(secondSize).isLessThan(firstSize / 2);
        FrameIO in = receiver();
        assertThat(in.decode(in.read())).isEqualTo(new Point(1, 2));
        assertThat(in.decode(in.read())).isEqualTo(new Point(3, 4));
    }

    @Test
    void write_notSerializable_throwsPayloadExceptionAndSendsNothing() throws Exception {
        sender.write(Frame.RESULT, 1, new Point(1, 2));
        assertThatThrownBy(() -> sender.write(Frame.RESULT, 2, List.of(new Object())))
                .isInstanceOf(PayloadException.class).hasCauseInstanceOf(NotSerializableException.class);
        sender.write(Frame.RESULT, 3, new Point(5, 6));

        FrameIO in = receiver();
        Frame one = in.read();
        Frame three = in.read();
        assertThat(three.id()).isEqualTo(3);
        assertThat(three.fresh()).isFalse();
        assertThat(in.decode(one)).isEqualTo(new Point(1, 2));
        assertThat(in.decode(three)).isEqualTo(new Point(5, 6));
        assertThat(in.read()).isNull();
    }

    /** Fails to deserialize after its own data was read completely. */
    static final class Refuses implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            throw new IllegalStateException("refused");
        }
    }

    @Test
    void decode_failureAfterWholeObjectRead_staysInStep() throws Exception {
        sender.write(Frame.TASK, 1, new Refuses());
        sender.write(Frame.TASK, 2, "next");
        FrameIO in = receiver();
        Frame bad = in.read();
        assertThatThrownBy(() -> in.decode(bad)).isInstanceOf(PayloadException.class)
                .satisfies(e -> assertThat(((PayloadException) e).inStep()).isTrue())
                .hasRootCauseMessage("refused");
        assertThat(in.decode(in.read())).isEqualTo("next");
    }

    /** A class whose descriptor is first sent inside a message that fails must be sent again later. */
    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object value;

        Holder(Object value) {
            this.value = value;
        }
    }

    @Test
    void write_failedMessageWithNewClass_descriptorIsSentAgainLater() throws Exception {
        assertThatThrownBy(() -> sender.write(Frame.RESULT, 1, new Holder(new Object())))
                .isInstanceOf(PayloadException.class);
        sender.write(Frame.RESULT, 2, new Holder("ok"));
        FrameIO in = receiver();
        assertThat(((Holder) in.decode(in.read())).value).isEqualTo("ok");
    }

    @Test
    void writeStandalone_thenPersistent_bothDecode() throws Exception {
        sender.writeStandalone(Frame.TASK, 1, FrameIO.serializeStandalone(new Point(7, 8)));
        sender.write(Frame.TASK, 2, new Point(9, 10));
        FrameIO in = receiver();
        assertThat(in.decode(in.read())).isEqualTo(new Point(7, 8));
        Frame next = in.read();
        assertThat(next.fresh()).isTrue();
        assertThat(in.decode(next)).isEqualTo(new Point(9, 10));
    }

    /** A peer's bytes that notes the largest buffer a reader offered to fill. */
    static final class Watched extends InputStream {
        private final ByteArrayInputStream bytes;
        int largestBuffer;

        Watched(byte[] bytes) {
            this.bytes = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            largestBuffer = Math.max(largestBuffer, b.length);
            return bytes.read(b, off, len);
        }
    }

    @Test
    void read_lengthBeyondWhatArrives_buffersOnlyAboutWhatArrived() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(bytes);
        data.writeInt(1 << 30); // a peer that claims a gigabyte and sends a hundred kilobytes
        data.writeByte(Frame.RESULT);
        data.writeLong(1);
        data.write(new byte[100_000]);
        Watched peer = new Watched(bytes.toByteArray());
        FrameIO in = new FrameIO(peer, new ByteArrayOutputStream());

        assertThatThrownBy(in::read).isInstanceOf(EOFException.class);
        assertThat(peer.largestBuffer).isBetween(100_000, 1 << 20);
    }

    @Test
    void read_frameLargerThanTheHeapAllows_droppedWithItsSizeAndStreamStaysInStep() throws Exception {
        List<Point> big = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            big.add(new Point(i, -i)); // a class first seen in the message that is dropped
        }
        sender.write(Frame.RESULT, 1, big);
        sender.write(Frame.RESULT, 2, new Point(1, 2));
        FrameIO in = new FrameIO(new ByteArrayInputStream(wire.toByteArray()), new ByteArrayOutputStream(),
                1 << 20);

        Frame dropped = in.read();
        assertThat(dropped.dropped()).isTrue();
        assertThat(dropped.id()).isEqualTo(1);
        assertThatThrownBy(() -> in.decode(dropped)).isInstanceOf(PayloadException.class)
                .satisfies(e -> assertThat(((PayloadException) e).inStep()).isTrue())
                .hasMessageContaining("result too large for this JVM's heap")
                .hasMessageContaining(String.format(java.util.Locale.ROOT, "%,d bytes", dropped.length()));
        assertThat(in.decode(in.read())).isEqualTo(new Point(1, 2));
        assertThat(in.read()).isNull();
    }

    @Test
    void decode_largeFrameThenSmall_bothDecode() throws Exception {
        List<Point> big = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            big.add(new Point(i, -i));
        }
        sender.write(Frame.RESULT, 1, big);
        sender.write(Frame.RESULT, 2, List.of(new Point(1, 2)));
        FrameIO in = receiver();
        assertThat(in.decode(in.read())).isEqualTo(big);
        assertThat(in.decode(in.read())).isEqualTo(List.of(new Point(1, 2)));
    }
}
