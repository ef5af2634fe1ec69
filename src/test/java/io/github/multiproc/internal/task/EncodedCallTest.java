package io.github.multiproc.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.SerializableCallable;
import io.github.multiproc.internal.wire.FrameIO;
import org.junit.jupiter.api.Test;

/** A task as bytes in, its outcome as bytes out: value, exception, unsendable value, unreadable task. */
final class EncodedCallTest {

    private static EncodedCall.Outcome run(SerializableCallable<?> task, boolean reusable) throws Exception {
        byte[] bytes = FrameIO.serializeStandalone(Calls.of(task));
        return EncodedCall.Outcome.of((byte[]) new EncodedCall(bytes, reusable).call());
    }

    @Test
    void aValue_comesBackWithThePid() throws Exception {
        EncodedCall.Outcome o = run(() -> 6 * 7, false);
        assertThat(o.kind()).isEqualTo(EncodedCall.VALUE);
        assertThat(o.read()).isEqualTo(42);
        assertThat(o.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void aReusableTask_runsRightEveryTime() throws Exception {
        for (int i = 0; i < 3; i++) {
            EncodedCall.Outcome o = run(() -> "same", true);
            assertThat(o.kind()).isEqualTo(EncodedCall.VALUE);
            assertThat(o.read()).isEqualTo("same");
        }
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
