package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.HiddenClasses;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task whose class exists only in this JVM (loaded at run time from a directory the child's class path lacks)
 * cannot be read in the child: the failure names the class, and a pool worker survives it.
 */
@Timeout(120)
final class UnreadableTaskTest {
    @TempDir
    static Path dir;
    static Object hidden;
    static Class<?> hiddenLambdas;

    @BeforeAll
    static void compileHiddenTask() throws Exception {
        hidden = HiddenClasses.compileAndLoad(dir, "gen.Hidden", "package gen;\n"
                + "public class Hidden implements io.github.multiproc.SerializableCallable<String> {\n"
                + "    private static final long serialVersionUID = 1L;\n"
                + "    public String call() { return \"hidden\"; }\n"
                + "}\n").getConstructor().newInstance();
        // lambdas travel in a form of their own (not a serialization stream): their capturing class must be named too
        hiddenLambdas = HiddenClasses.compileAndLoad(dir, "gen.HiddenLambdas", "package gen;\n"
                + "public class HiddenLambdas {\n"
                + "    public static io.github.multiproc.SerializableCallable<String> task(String s) {\n"
                + "        return () -> \"hidden \" + s;\n"
                + "    }\n"
                + "    public static io.github.multiproc.SerializableFunction<Integer, Integer> fn() {\n"
                + "        return x -> x + 1;\n"
                + "    }\n"
                + "}\n");
    }

    @SuppressWarnings("unchecked")
    private static <T> T hiddenLambda(String method, Object... args) throws Exception {
        Class<?>[] types = new Class<?>[args.length];
        java.util.Arrays.fill(types, String.class);
        return (T) hiddenLambdas.getMethod(method, types).invoke(null, args);
    }

    @Test
    void fork_lambdaWhoseClassIsNotOnChildClassPath_childFailedNamingTheClass() throws Exception {
        SerializableCallable<String> task = hiddenLambda("task", "x");
        ChildProcess<String> child = Fork.call(task);
        assertThatThrownBy(child::result).isInstanceOf(ChildFailedException.class)
                .hasMessageContaining("could not read its task")
                .cause().isInstanceOf(ClassNotFoundException.class).hasMessageContaining("gen.HiddenLambdas");
        assertThat(child.join().code()).isEqualTo(1);
    }

    @Test
    void pool_functionWhoseClassIsNotOnWorkerClassPath_failsItsTasksOnlyAndWorkerLivesOn() throws Exception {
        SerializableFunction<Integer, Integer> fn = hiddenLambda("fn");
        try (ProcessPool pool = ProcessPool.create(1)) {
            long pid = pool.workerPids().get(0);
            for (int i = 0; i < 2; i++) { // the function is sent once; both tasks that name it fail
                int arg = i;
                assertThatThrownBy(() -> pool.applyAsync(fn, arg).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(ChildFailedException.class)
                        .satisfies(e -> assertThat(e.getCause()).hasMessageContaining("could not read task")
                                .cause().isInstanceOf(ClassNotFoundException.class)
                                .hasMessageContaining("gen.HiddenLambdas"));
            }
            assertThat(pool.apply((Integer x) -> x * 2, 21)).isEqualTo(42);
            assertThat(pool.workerPids()).containsExactly(pid);
        }
    }

    @SuppressWarnings("unchecked")
    private static SerializableCallable<String> hiddenTask() {
        return (SerializableCallable<String>) hidden;
    }

    @Test
    void fork_classNotOnChildClassPath_childFailedNamingTheClass() throws Exception {
        ChildProcess<String> child = Fork.call(hiddenTask());
        assertThatThrownBy(child::result).isInstanceOf(ChildFailedException.class)
                .hasMessageContaining("could not read its task")
                .cause().isInstanceOf(ClassNotFoundException.class).hasMessageContaining("gen.Hidden");
        assertThat(child.join().code()).isEqualTo(1);
    }

    @Test
    void pool_classNotOnWorkerClassPath_failsThatTaskOnlyAndWorkerLivesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            long pid = pool.workerPids().get(0);
            assertThatThrownBy(() -> pool.applyAsync(hiddenTask()).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ChildFailedException.class)
                    .satisfies(e -> assertThat(e.getCause()).hasMessageContaining("could not read task")
                            .cause().isInstanceOf(ClassNotFoundException.class).hasMessageContaining("gen.Hidden"));
            assertThat(pool.apply(() -> 1 + 1)).isEqualTo(2);
            assertThat(pool.workerPids()).containsExactly(pid);
            assertThat(pool.stats().workerRestarts()).isZero();
        }
    }
}
