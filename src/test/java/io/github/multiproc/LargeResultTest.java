package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.LargeResultParent;
import io.github.multiproc.testing.FixtureJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A result larger than the parent's heap fails its task with a message that says so, not as a crashed child, and a
 * pool keeps its worker. The parent is a fixture JVM with a 64 MiB heap; its children have the default heap.
 */
@Timeout(120)
final class LargeResultTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    /** 96 MiB cannot be held at all; 48 MiB could be read, but not read and deserialized too. */
    private static final String[] SIZES = {"96", "48", "1"};

    private static List<String> run(Path stateDir, String kind) throws Exception {
        try (FixtureJvm parent = FixtureJvm.start(stateDir, List.of("-Xmx64m"), LargeResultParent.class,
                concat(kind, SIZES))) {
            parent.awaitLine("DONE"::equals, DEADLINE);
            return parent.stdoutLines().stream().filter(line -> !line.startsWith("RUNNING"))
                    .collect(Collectors.toList());
        }
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void fork_resultLargerThanParentHeap_failsWithTooLargeNotCrashed(@TempDir Path stateDir) throws Exception {
        List<String> lines = run(stateDir, "fork");
        assertThat(lines).filteredOn(line -> line.startsWith("FAILED")).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("FAILED " + ChildFailedException.class.getName())
                .contains("result too large for this JVM's heap").containsPattern("[0-9,]{9,} bytes"));
        assertThat(lines).contains("RESULT " + (1 << 20));
    }

    @Test
    void pool_resultLargerThanParentHeap_failsThatTaskAndKeepsItsWorker(@TempDir Path stateDir) throws Exception {
        List<String> lines = run(stateDir, "pool");
        assertThat(lines).filteredOn(line -> line.startsWith("FAILED")).hasSize(2).allSatisfy(line -> assertThat(line)
                .startsWith("FAILED " + ChildFailedException.class.getName())
                .contains("result too large for this JVM's heap").containsPattern("[0-9,]{9,} bytes"));
        assertThat(lines).contains("RESULT " + (1 << 20), "AFTER 42");
        List<String> workers = lines.stream().filter(line -> line.startsWith("WORKERS")).collect(Collectors.toList());
        assertThat(workers).hasSize(2);
        assertThat(workers.get(1)).as("the same worker, not a replacement").isEqualTo(workers.get(0));
    }
}
