package io.github.multiproc.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.SerializableCallable;
import io.github.multiproc.SerializableFunction;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.internal.wire.PayloadException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hand-written form of a lambda task rebuilds the same task, and only lambdas whose captures are plain have one. */
final class LambdaFormTest {
    static final AtomicInteger RUNS = new AtomicInteger();

    static void bump() {
        RUNS.incrementAndGet();
    }

    static int inc(int x) {
        return x + 1;
    }

    private static Object roundTrip(Object task) throws PayloadException {
        byte[] bytes = LambdaForm.encode(task);
        assertThat(bytes).as("a form for %s", task).isNotNull();
        assertThat(LambdaForm.isLambdaForm(bytes, bytes.length)).isTrue();
        return LambdaForm.decode(bytes, bytes.length);
    }

    @Test
    void callableThatCapturesNothing_comesBackAsTheSameTask() throws Exception {
        Object back = roundTrip(Calls.of((SerializableCallable<Integer>) () -> 6 * 7));
        assertThat(back).isInstanceOf(Calls.OfCallable.class);
        assertThat(((TaskCall) back).call()).isEqualTo(42);
    }

    @Test
    void runnable_comesBackAsARunnableTask() throws Exception {
        int before = RUNS.get();
        Object back = roundTrip(Calls.of((SerializableRunnable) LambdaFormTest::bump));
        assertThat(back).isInstanceOf(Calls.OfRunnable.class);
        assertThat(((TaskCall) back).call()).isNull();
        assertThat(RUNS.get()).isEqualTo(before + 1);
    }

    @Test
    void capturedPlainValues_includingNull_travelWithTheLambda() throws Exception {
        int i = 3;
        long l = 4_000_000_000L;
        String s = "é\u0000x";
        Double none = null;
        char c = 'q';
        SerializableCallable<String> task = () -> s + i + l + none + c;
        assertThat(((TaskCall) roundTrip(Calls.of(task))).call()).isEqualTo(task.call());
    }

    @Test
    void bareFunctionsAndMethodReferences_comeBackBare() throws Exception {
        @SuppressWarnings("unchecked")
        SerializableFunction<Integer, Integer> fn = (SerializableFunction<Integer, Integer>) roundTrip(
                (SerializableFunction<Integer, Integer>) LambdaFormTest::inc);
        assertThat(fn.apply(1)).isEqualTo(2);
        String receiver = "abc";
        @SuppressWarnings("unchecked")
        SerializableFunction<String, String> bound = (SerializableFunction<String, String>) roundTrip(
                (SerializableFunction<String, String>) receiver::concat);
        assertThat(bound.apply("d")).isEqualTo("abcd");
    }

    @Test
    void encode_lambdaCapturingAnObject_orANamedClass_orNull_hasNoForm() {
        List<Integer> list = List.of(1, 2);
        assertThat(LambdaForm.encode(Calls.of((SerializableCallable<Integer>) list::size))).isNull();
        assertThat(LambdaForm.encode(Calls.of(new Named()))).isNull();
        assertThat(LambdaForm.encode(null)).isNull();
        assertThat(LambdaForm.encode("not a task")).isNull();
    }

    @Test
    void taskPayload_usesTheFormWhereThereIsOne_andASerializationStreamElsewhere() {
        byte[] lambda = TaskPayload.serialize((SerializableCallable<Integer>) () -> 1);
        assertThat(LambdaForm.isLambdaForm(lambda, lambda.length)).isTrue();
        List<Integer> list = List.of(1);
        byte[] stream = TaskPayload.serialize((SerializableCallable<Integer>) list::size);
        assertThat(LambdaForm.isLambdaForm(stream, stream.length)).isFalse();
        assertThat(stream[0] & 0xFF).isEqualTo(0xAC);
    }

    @Test
    void decode_unknownCapturingClass_failsInStepNamingTheClass() {
        byte[] bytes = LambdaForm.encode(Calls.of((SerializableCallable<Integer>) () -> 1));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String name = LambdaFormTest.class.getName().replace('.', '/');
        byte[] renamed = text.replaceFirst(name, name.replace("LambdaFormTest", "LambdaFormTesX"))
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> LambdaForm.decode(renamed, renamed.length)).isInstanceOf(PayloadException.class)
                .satisfies(e -> assertThat(((PayloadException) e).inStep()).isTrue())
                .cause().isInstanceOf(ClassNotFoundException.class).hasMessageContaining("LambdaFormTesX");
    }

    @Test
    void decode_garbledOrTruncatedPayload_failsInStep() {
        byte[] bytes = LambdaForm.encode(Calls.of((SerializableCallable<Integer>) () -> 1));
        assertThatThrownBy(() -> LambdaForm.decode(bytes, bytes.length - 3)).isInstanceOf(PayloadException.class)
                .satisfies(e -> assertThat(((PayloadException) e).inStep()).isTrue());
        byte[] wrongMethod = new String(bytes, StandardCharsets.ISO_8859_1).replace("lambda$", "lambdX$")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> LambdaForm.decode(wrongMethod, wrongMethod.length))
                .isInstanceOf(PayloadException.class).cause().hasMessageContaining("Invalid lambda deserialization");
        assertThat(LambdaForm.isLambdaForm(new byte[] {(byte) 0xAC, (byte) 0xED}, 2)).isFalse();
        assertThat(LambdaForm.isLambdaForm(null, 0)).isFalse();
    }

    static final class Named implements SerializableCallable<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return 1;
        }
    }
}
