package io.github.multiproc.internal.spawn;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.channel.ChannelProtocol;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stderr pump takes a child's markers out of the stream, wherever the reads split them, and reports each only
 * once everything before it has been written out.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class OutputPumpTest {

    @Test
    void markers_areTakenOut_andReportedAfterWhatPrecedesThem_howeverTheReadsSplitThem() throws Exception {
        for (int seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            byte[] marker = markerFrom(random); // as newStderrMarker makes them, but the same for the same seed
            byte[] stream = streamWithMarkers(random, marker);
            Expected expected = removeMarkers(stream, marker);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<long[]> reports = new CopyOnWriteArrayList<>(); // {count, bytes written out by then}
            OutputPump.forward(new ChoppyStream(stream, random), out, StandardCharsets.ISO_8859_1,
                    new OutputPump.Tail(), marker, count -> reports.add(new long[] {count, out.size()}),
                    "test-pump").get(10, SECONDS);

            assertThat(out.toByteArray()).as("seed %d: the stream without its markers", seed)
                    .isEqualTo(expected.clean);
            assertThat(reports).as("seed %d: one report per marker", seed).hasSize(expected.cleanBefore.size());
            for (int i = 0; i < reports.size(); i++) {
                assertThat(reports.get(i)[0]).isEqualTo(i + 1);
                assertThat(reports.get(i)[1]).as("seed %d: bytes out when marker %d was reported", seed, i + 1)
                        .isEqualTo(expected.cleanBefore.get(i));
            }
        }
    }

    @Test
    void aMarkerCutOffByTheEndOfTheStream_isOutputAsIs() throws Exception {
        byte[] marker = ChannelProtocol.newStderrMarker();
        byte[] stream = new byte[5];
        stream[0] = 'x';
        System.arraycopy(marker, 0, stream, 1, 4);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> reports = new CopyOnWriteArrayList<>();
        OutputPump.forward(new ChoppyStream(stream, new Random(1)), out, StandardCharsets.ISO_8859_1,
                new OutputPump.Tail(), marker, reports::add, "test-pump").get(10, SECONDS);
        assertThat(out.toByteArray()).isEqualTo(stream);
        assertThat(reports).isEmpty();
    }

    @Test
    void theTail_keepsTheLinesWithoutTheMarkers() throws Exception {
        byte[] marker = ChannelProtocol.newStderrMarker();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes("first li".getBytes(StandardCharsets.US_ASCII));
        stream.writeBytes(marker);
        stream.writeBytes("ne\nsecond\n".getBytes(StandardCharsets.US_ASCII));
        stream.writeBytes(marker);
        stream.writeBytes("last".getBytes(StandardCharsets.US_ASCII));
        OutputPump.Tail tail = new OutputPump.Tail();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputPump.forward(new ChoppyStream(stream.toByteArray(), new Random(2)), out, StandardCharsets.US_ASCII,
                tail, marker, count -> { }, "test-pump").get(10, SECONDS);
        assertThat(tail.snapshot()).containsExactly("first line", "second", "last");
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("first line\nsecond\nlast");
    }

    @Test
    void withoutAMarker_everyByteIsForwarded() throws Exception {
        byte[] stream = new byte[20_000];
        new Random(3).nextBytes(stream);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> reports = new CopyOnWriteArrayList<>();
        OutputPump.forward(new ChoppyStream(stream, new Random(4)), out, StandardCharsets.ISO_8859_1,
                new OutputPump.Tail(), new byte[0], reports::add, "test-pump").get(10, SECONDS);
        assertThat(out.toByteArray()).isEqualTo(stream);
        assertThat(reports).isEmpty();
    }

    @Test
    void newMarkers_startWithTheirOnlyZeroByte_andHoldNoLineEnd() {
        for (int i = 0; i < 1000; i++) {
            byte[] marker = ChannelProtocol.newStderrMarker();
            assertThat(marker).hasSize(ChannelProtocol.STDERR_MARKER_LENGTH);
            assertThat(marker[0]).isZero();
            for (int j = 1; j < marker.length; j++) {
                assertThat(marker[j]).isNotIn((byte) 0, (byte) '\n', (byte) '\r');
            }
        }
    }

    private static byte[] markerFrom(Random random) {
        byte[] marker = new byte[ChannelProtocol.STDERR_MARKER_LENGTH];
        for (int i = 1; i < marker.length; i++) {
            do {
                marker[i] = (byte) random.nextInt(256);
            } while (marker[i] == 0 || marker[i] == '\n' || marker[i] == '\r');
        }
        return marker;
    }

    /** Text, zero bytes, prefixes of the marker cut short, and whole markers, some back to back. */
    private static byte[] streamWithMarkers(Random random, byte[] marker) {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        int pieces = 1 + random.nextInt(40);
        for (int p = 0; p < pieces; p++) {
            switch (random.nextInt(5)) {
                case 0:
                    s.writeBytes(marker);
                    break;
                case 1:
                    s.write(marker, 0, 1 + random.nextInt(marker.length - 1)); // a prefix only
                    break;
                case 2:
                    s.write(0);
                    break;
                default:
                    byte[] text = new byte[random.nextInt(300)];
                    random.nextBytes(text);
                    s.writeBytes(text);
            }
        }
        return s.toByteArray();
    }

    /** What a reader of the whole stream at once finds: the stream without markers, and where each one was. */
    private static Expected removeMarkers(byte[] stream, byte[] marker) {
        ByteArrayOutputStream clean = new ByteArrayOutputStream();
        List<Long> before = new ArrayList<>();
        int i = 0;
        while (i < stream.length) {
            if (i + marker.length <= stream.length
                    && Arrays.equals(stream, i, i + marker.length, marker, 0, marker.length)) {
                before.add((long) clean.size());
                i += marker.length;
            } else {
                clean.write(stream[i++]);
            }
        }
        return new Expected(clean.toByteArray(), before);
    }

    private record Expected(byte[] clean, List<Long> cleanBefore) {
    }

    /** Hands out its bytes in reads of 1 to 20 bytes. */
    private static final class ChoppyStream extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private int position;

        ChoppyStream(byte[] bytes, Random random) {
            this.bytes = bytes;
            this.random = random;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(20)), bytes.length - position);
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }
    }
}
