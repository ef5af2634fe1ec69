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

    @BeforeAll
    static void compileHiddenTask() throws Exception {
        hidden = HiddenClasses.compileAndLoad(dir, "gen.Hidden", "package gen;\n"
                + "public class Hidden implements io.github.multiproc.SerializableCallable<String> {\n"
                + "    private static final long serialVersionUID = 1L;\n"
                + "    public String call() { return \"hidden\"; }\n"
                + "}\n").getConstructor().newInstance();
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
