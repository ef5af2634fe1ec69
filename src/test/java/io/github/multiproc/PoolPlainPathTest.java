package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.HiddenClasses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function that captures nothing, applied to a plain value (null, a boxed primitive, a string), travels to a worker
 * without Java serialization once the worker has the function: the same results, the same failures.
 */
@Timeout(120)
final class PoolPlainPathTest {

    @Test
    void everyPlainType_roundTripsUnchanged() throws Exception {
        List<Object> values = Arrays.asList(null, 42, -7L, 2.5, "héllo wörld ✓", true, (short) 3, (byte) -1, 1.5f,
                'x', Integer.MIN_VALUE, Long.MAX_VALUE, Double.NaN, "", "x".repeat(70_000));
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<CompletableFuture<Object>> results = new ArrayList<>();
            for (Object v : values) {
                results.add(pool.applyAsync((Object x) -> x, v));
            }
            for (int i = 0; i < values.size(); i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(values.get(i));
            }
            assertThat(pool.apply((Object x) -> x == null ? "was null" : x.getClass().getSimpleName(), 'c'))
                    .isEqualTo("Character");
        }
    }

    @Test
    void capturingFunctionsAndOtherValues_takeTheOrdinaryPath_withTheirStateAsSubmitted() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int offset = i * 100; // captured: each task its own
                results.add(pool.applyAsync((Integer x) -> x + offset, i));
            }
            for (int i = 0; i < 5; i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i * 101);
            }
            assertThat(pool.apply((List<Integer> xs) -> xs.size(), List.of(1, 2, 3))).isEqualTo(3);
            assertThat(pool.apply((Integer n) -> List.of(n, n), 4)).containsExactly(4, 4);
        }
    }

    @Test
    void callablesAndRunnablesThatCaptureNothing_runEachTime_capturingOnesWithTheirState() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().get(0);
            for (int i = 0; i < 3; i++) {
                assertThat(pool.apply(Fork::pid)).isEqualTo(worker); // the same task, run anew each time
            }
            // a runnable that captures nothing: it finds its file from its parent's pid
            Path marker = Path.of(System.getProperty("java.io.tmpdir"), "multiproc-plain-" + Fork.pid());
            java.nio.file.Files.deleteIfExists(marker);
            SerializableRunnable touch = () -> java.nio.file.Files.writeString(Path.of(
                    System.getProperty("java.io.tmpdir"), "multiproc-plain-" + Fork.ppid().orElseThrow()), "yes");
            for (int i = 0; i < 2; i++) {
                pool.applyAsync(touch).get(30, TimeUnit.SECONDS);
                assertThat(java.nio.file.Files.readString(marker)).isEqualTo("yes");
                java.nio.file.Files.delete(marker);
            }
            for (int i = 0; i < 3; i++) {
                int captured = i;
                assertThat(pool.apply(() -> captured * 10)).isEqualTo(i * 10);
            }
            assertThatThrownBy(() -> pool.apply(() -> {
                throw new IllegalStateException("from a stateless callable");
            })).isInstanceOf(ChildFailedException.class).cause().isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void failingFunction_failsWithItsOwnException() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            assertThatThrownBy(() -> pool.apply((Integer x) -> 10 / x, 0)).isInstanceOf(ChildFailedException.class)
                    .cause().isInstanceOf(ArithmeticException.class);
            assertThat(pool.apply((Integer x) -> 10 / x, 5)).isEqualTo(2);
        }
    }

    @Test
    void replacedWorker_isSentTheFunctionAgain() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            SerializableFunction<Integer, Integer> twice = x -> 2 * x;
            assertThat(pool.apply(twice, 1)).isEqualTo(2);
            long first = pool.workerPids().get(0);
            assertThatThrownBy(() -> pool.apply((Integer code) -> {
                Runtime.getRuntime().halt(code);
                return 0;
            }, 99)).isInstanceOf(ChildCrashedException.class);
            assertThat(pool.apply(twice, 21)).isEqualTo(42);
            assertThat(pool.workerPids()).doesNotContain(first);
        }
    }

    @Test
    void functionTheWorkerCannotLoad_failsEachTaskNamingTheClass_andTheWorkerLivesOn(@TempDir Path dir)
            throws Exception {
        @SuppressWarnings("unchecked")
        SerializableFunction<Integer, Integer> hidden = (SerializableFunction<Integer, Integer>) HiddenClasses
                .compileAndLoad(dir, "gen.HiddenFunction", "package gen;\n"
                        + "public class HiddenFunction {\n"
                        + "    public static io.github.multiproc.SerializableFunction<Integer, Integer> get() {\n"
                        + "        return x -> x + 1;\n"
                        + "    }\n"
                        + "}\n").getMethod("get").invoke(null);
        try (ProcessPool pool = ProcessPool.create(1)) {
            long pid = pool.workerPids().get(0);
            for (int i = 0; i < 2; i++) {
                int arg = i;
                assertThatThrownBy(() -> pool.apply(hidden, arg)).isInstanceOf(ChildFailedException.class)
                        .hasMessageContaining("could not read task")
                        .cause().isInstanceOf(ClassNotFoundException.class)
                        .hasMessageContaining("gen.HiddenFunction");
            }
            assertThat(pool.apply((Integer x) -> x + 1, 1)).isEqualTo(2);
            assertThat(pool.workerPids()).containsExactly(pid);
        }
    }
}
