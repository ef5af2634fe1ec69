package io.github.multiproc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A chunk's items travel packed when they are all of one simple type, and come back equal in every case. */
final class PackedListTest {

    /** Through a channel's frames, as a pool sends chunks. */
    private static Object roundTrip(List<?> items) throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new FrameIO(new ByteArrayInputStream(new byte[0]), wire).write(Frame.TASK, 1, new PackedList(items));
        FrameIO receiver = new FrameIO(new ByteArrayInputStream(wire.toByteArray()), new ByteArrayOutputStream());
        return receiver.decode(receiver.read());
    }

    @Test
    void roundTrip_eachPackedTypeAndTheGenericCase_givesAnEqualArrayList() throws Exception {
        List<List<?>> cases = List.of(
                IntStream.range(-5, 1000).boxed().collect(Collectors.toList()),
                List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE),
                List.of(0.5, -1e300, Double.NaN),
                List.of("", "héllo", "数"),
                List.of("a".repeat(20_000), "b"),                 // too long to pack: written as objects
                Arrays.asList(1, null, 3),                       // a null: generic
                List.of(1, 2L, "three"),                         // mixed: generic
                Collections.emptyList());
        for (List<?> items : cases) {
            Object back = roundTrip(new ArrayList<>(items));
            assertThat(back).isInstanceOf(ArrayList.class).isEqualTo(items);
        }
    }

    @Test
    void packedInts_takeFarFewerBytesThanObjects() throws Exception {
        List<Integer> items = IntStream.range(0, 10_000).boxed().collect(Collectors.toList());
        int packed = FrameIO.serializeStandalone(new PackedList(items)).length;
        int plain = FrameIO.serializeStandalone(new ArrayList<>(items)).length;
        assertThat(packed).isLessThan(plain / 2);
    }
}
