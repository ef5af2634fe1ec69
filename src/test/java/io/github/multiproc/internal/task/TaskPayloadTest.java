package io.github.multiproc.internal.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.NotSerializableTaskException;
import io.github.multiproc.SerializableCallable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The message of a refused task names the culprit and how the task reaches it. */
final class TaskPayloadTest {

    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object inner;

        Holder(Object inner) {
            this.inner = inner;
        }
    }

    static final class Job implements SerializableCallable<Integer> {
        private static final long serialVersionUID = 1L;
        private final Holder holder;
        private final List<Object> items;

        Job(Holder holder, List<Object> items) {
            this.holder = holder;
            this.items = items;
        }

        @Override
        public Integer call() {
            return items.size() + (holder == null ? 0 : 1);
        }
    }

    @Test
    void serialize_namedClassWithNestedCulprit_namesTheFieldPath() {
        Job job = new Job(new Holder(new Thread()), List.of());
        assertThatThrownBy(() -> TaskPayload.serialize(job)).isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining(Job.class.getName())
                .hasMessageContaining("field 'holder' -> field 'inner' (java.lang.Thread) is not serializable");
    }

    @Test
    void serialize_culpritInsideAList_namesTheIndex() {
        List<Object> items = new ArrayList<>(List.of("a", "b"));
        items.add(new Object());
        assertThatThrownBy(() -> TaskPayload.serialize(new Job(null, items)))
                .hasMessageContaining("field 'items'[2] (java.lang.Object) is not serializable");
    }

    @Test
    void serialize_lambdaCapturingCulpritInAMap_namesCapturedArgAndKey() {
        Map<String, Object> settings = Map.of("socket", new Object());
        SerializableCallable<Integer> task = () -> settings.size();
        assertThatThrownBy(() -> TaskPayload.serialize(task)).isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("lambda in " + TaskPayloadTest.class.getName())
                .hasMessageContaining("captured arg 0[socket] (java.lang.Object) is not serializable");
    }

    @Test
    void serialize_taskWithoutALambdaForm_givesAStandaloneStream() {
        byte[] bytes = TaskPayload.serialize(new Job(null, List.of()));
        assertThat(bytes).startsWith((byte) 0xac, (byte) 0xed); // the serialization stream's magic
    }

    @Test
    void serialize_statelessLambda_madeOncePerClass_capturingLambda_eachTimeAsItIsNow() throws Exception {
        SerializableCallable<Integer> stateless = () -> 1;
        assertThat(TaskPayload.serialize(stateless)).isSameAs(TaskPayload.serialize(stateless));

        List<Integer> captured = new ArrayList<>(List.of(1));
        SerializableCallable<Integer> capturing = () -> captured.size();
        byte[] before = TaskPayload.serialize(capturing);
        captured.add(2);
        byte[] after = TaskPayload.serialize(capturing);
        assertThat(after).isNotEqualTo(before); // the list as it is now, not as it was
        assertThat(TaskPayload.describe(capturing)).isEqualTo(TaskPayload.describe(capturing))
                .startsWith("lambda in " + TaskPayloadTest.class.getName());
    }
}
