package io.github.multiproc.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.SerializableCallable;
import io.github.multiproc.internal.wire.FrameIO;
import org.junit.jupiter.api.Test;

/** A task as bytes in, its outcome as bytes out: value, exception, unsendable value, unreadable task. */
final class EncodedCallTest {

    private static EncodedCall.Outcome run(SerializableCallable<?> task, boolean reusable) throws Exception {
        return EncodedCall.Outcome.of((byte[]) answer(task, reusable));
    }

    private static Object answer(SerializableCallable<?> task, boolean reusable) throws Exception {
        return new EncodedCall(FrameIO.serializeStandalone(Calls.of(task)), reusable).call();
    }

    @Test
    void aValue_comesBackWithThePid() throws Exception {
        EncodedCall.Outcome o = run(() -> new java.util.ArrayList<>(java.util.List.of(6 * 7)), false);
        assertThat(o.kind()).isEqualTo(EncodedCall.VALUE);
        assertThat(o.read()).isEqualTo(java.util.List.of(42));
        assertThat(o.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void aPlainValue_comesBackAsItIs() throws Exception {
        assertThat(answer(() -> 6 * 7, false)).isEqualTo(42);
        assertThat(answer(() -> null, false)).isNull();
        assertThat(answer(() -> "text", false)).isEqualTo("text");
    }

    @Test
    void aReusableTask_runsRightEveryTime() throws Exception {
        SerializableCallable<?> same = () -> "same";
        EncodedCall call = new EncodedCall(FrameIO.serializeStandalone(Calls.of(same)), true);
        for (int i = 0; i < 3; i++) {
            assertThat(call.call()).isEqualTo("same");
            assertThat(answer(() -> "same", true)).isEqualTo("same");
        }
    }

    @Test
    void reuseKey_isTheBytesForAReusableTask_nullOtherwise() throws Exception {
        byte[] bytes = FrameIO.serializeStandalone(Calls.of((SerializableCallable<?>) () -> 1));
        assertThat(new EncodedCall(bytes, true).reuseKey()).isEqualTo(new EncodedCall(bytes.clone(), true).reuseKey());
        assertThat(new EncodedCall(bytes, false).reuseKey()).isNull();
        assertThat(Calls.plainForm(new EncodedCall(bytes, true))).isNotNull();
        assertThat(Calls.plainForm(new EncodedCall(bytes, false))).isNull();
    }

    @Test
    void anException_comesBackAsFailed() throws Exception {
        EncodedCall.Outcome o = run(() -> {
            throw new IllegalStateException("boom");
        }, false);
        assertThat(o.kind()).isEqualTo(EncodedCall.FAILED);
        assertThat(o.read()).isInstanceOf(IllegalStateException.class).hasFieldOrPropertyWithValue("message", "boom");
    }

    @Test
    void aValueThatCannotBeSerialized_comesBackAsUnsendable_namingItsClass() throws Exception {
        EncodedCall.Outcome o = run(() -> new Object(), false);
        assertThat(o.kind()).isEqualTo(EncodedCall.UNSENDABLE);
        assertThat((String) o.read()).contains("java.lang.Object");
    }

    @Test
    void bytesThatAreNoTask_comeBackAsUnreadable() throws Exception {
        EncodedCall.Outcome o = EncodedCall.Outcome.of((byte[]) new EncodedCall(new byte[] {1, 2, 3}, false).call());
        assertThat(o.kind()).isEqualTo(EncodedCall.UNREADABLE);
        assertThat((String) o.read()).contains("cannot be read");
    }
}
