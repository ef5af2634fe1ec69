package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad arguments are refused at once, before any worker starts or any task is queued. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolValidationTest {
    private static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.create(1);
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        if (pool != null) {
            pool.terminate();
            assertThat(pool.join(Duration.ofSeconds(10))).as("terminated %s", pool).isTrue();
        }
    }

    @Test
    void create_zeroOrNegativeWorkers_throwsIllegalArgument() {
        assertThatThrownBy(() -> ProcessPool.create(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> ProcessPool.create(-3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessPool.builder().workers(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builder_badSettings_throwAtOnce() {
        ProcessPool.Builder builder = ProcessPool.builder();

        assertThatThrownBy(() -> builder.maxTasksPerWorker(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.taskTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.taskTimeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.taskTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.stdout(Redirect.PIPE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.stderr(Redirect.PIPE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.stdout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.initializer(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.jvmOptions("Xmx32m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.jvmOptions((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.systemProperty("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.systemProperty("a=b", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.name(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.name(null)).isInstanceOf(NullPointerException.class);
        assertThat(builder.maxTasksPerWorker(0)).isSameAs(builder);
    }

    @Test
    void submit_nullTaskOrFunctionOrItems_throwsNullPointerAndQueuesNothing() {
        long submittedBefore = pool.stats().submitted();

        assertThatThrownBy(() -> pool.applyAsync((SerializableCallable<Object>) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.applyAsync((SerializableRunnable) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.applyAsync((SerializableFunction<Integer, Integer>) null, 1))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.apply((SerializableCallable<Object>) null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.map(null, List.of(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.map((Integer x) -> x, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.mapAsync((Integer x) -> x, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.imap((Integer x) -> x, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.imapUnordered(null, List.of(1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> pool.starmap((Integer a, Integer b) -> a + b, null))
                .isInstanceOf(NullPointerException.class);
        List<Map.Entry<Integer, Integer>> withNullPair = new ArrayList<>(Arrays.asList(Map.entry(1, 2), null));
        assertThatThrownBy(() -> pool.starmap((Integer a, Integer b) -> a + b, withNullPair))
                .isInstanceOf(NullPointerException.class);
        assertThat(pool.stats().submitted()).isEqualTo(submittedBefore);
    }

    @Test
    void map_chunkSizeZeroOrNegative_throwsIllegalArgument() {
        assertThatThrownBy(() -> pool.map((Integer x) -> x, List.of(1, 2), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunkSize");
        assertThatThrownBy(() -> pool.map((Integer x) -> x, List.of(1, 2), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void join_nullTimeout_throwsNullPointer() {
        assertThatThrownBy(() -> pool.join(null)).isInstanceOf(NullPointerException.class);
    }
}
