package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class ExitStatusTest {

    @Test
    void of_normalExit_waitStatusIsCodeShiftedLikeOsWait() {
        ExitStatus one = ExitStatus.of(1);
        assertThat(one.code()).isEqualTo(1);
        assertThat(one.success()).isFalse();
        assertThat(one.signal()).isEmpty();
        assertThat(one.waitStatus()).isEqualTo(256);
        assertThat(ExitStatus.of(0).success()).isTrue();
        assertThat(ExitStatus.of(0).waitStatus()).isZero();
        assertThat(ExitStatus.of(128).signal()).isEmpty();
        assertThat(ExitStatus.of(255).waitStatus()).isEqualTo(255 << 8);
    }

    @Test
    void of_code128PlusN_readsAsSignalN() {
        ExitStatus term = ExitStatus.of(143);
        assertThat(term.signal()).hasValue(15);
        assertThat(term.waitStatus()).isEqualTo(15);
        assertThat(term).isEqualTo(ExitStatus.ofSignal(15)).hasSameHashCodeAs(ExitStatus.ofSignal(15));
        assertThat(term.toString()).isEqualTo("exit code 143 (SIGTERM)");
        assertThat(ExitStatus.of(137).toString()).isEqualTo("exit code 137 (SIGKILL)");
        assertThat(ExitStatus.of(160).signal()).isEmpty();
    }

    @Test
    void ofCode_neverInfersASignal() {
        assertThat(ExitStatus.ofCode(143).signal()).isEmpty();
        assertThat(ExitStatus.ofCode(143)).isNotEqualTo(ExitStatus.of(143));
        assertThat(ExitStatus.ofCode(3).toString()).isEqualTo("exit code 3");
    }

    @Test
    void ofSignal_outOfRange_isRefused() {
        assertThatThrownBy(() -> ExitStatus.ofSignal(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> ExitStatus.ofSignal(65)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signalName_knownAndUnknown() {
        assertThat(ExitStatus.signalName(9)).isEqualTo("SIGKILL");
        assertThat(ExitStatus.signalName(10)).isEqualTo("signal 10");
    }

    @Test
    void serialized_statusAndCrashTravelWhole() throws Exception {
        assertThat(roundTrip(ExitStatus.ofSignal(9))).isEqualTo(ExitStatus.ofSignal(9));
        assertThat(roundTrip(ExitStatus.ofCode(143))).isEqualTo(ExitStatus.ofCode(143));
        ChildCrashedException crash = new ChildCrashedException("worker died", 4242, ExitStatus.of(137),
                java.util.List.of("line 1", "line 2"));
        ChildCrashedException copy = (ChildCrashedException) roundTrip(crash);
        assertThat(copy.exitStatus()).isEqualTo(ExitStatus.ofSignal(9));
        assertThat(copy.pid()).isEqualTo(4242);
        assertThat(copy.stderrTail()).containsExactly("line 1", "line 2");
        assertThat(copy).hasMessage("worker died");
    }

    private static Object roundTrip(Object value) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
