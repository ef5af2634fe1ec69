package io.github.multiproc.internal.reap;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.ParentExit;
import io.github.multiproc.fixtures.OrphanReaper;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.ProcessWrappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records of children in the state directory, as another JVM judges them ({@code Fork.orphans()},
 * {@code Fork.reapOrphans()}): a record goes only when its process is known to be gone. The judging JVM is a fixture
 * ({@link OrphanReaper}) with this test's state directory, started in whatever setting the case needs.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ChildRecordsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    @TempDir
    Path scratch;

    private final List<Process> processes = new ArrayList<>();
    private final List<FixtureJvm> fixtures = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        fixtures.forEach(FixtureJvm::close);
        processes.forEach(Process::destroyForcibly);
    }

    /** A transient {@code /proc} failure ("Too many open files" in production) means "cannot tell", not "gone". */
    @Test
    void orphans_procStatUnreadable_recordAndRunDirectoryKept() throws Exception {
        ProcessHandle sleeper = start("sleep", "120");
        long start = ProcessStart.of(sleeper);
        new ChildRecords(stateDir).add(sleeper, start, "sleeper", "sleep 120", ParentExit.DETACH);
        Path runDir = Files.createDirectory(stateDir.resolve(StateDirectory.runDirectoryName(ThisJvm.get().scope(),
                sleeper.pid(), start)));
        List<String> unreadable = ProcessWrappers.procStatUnreadable(sleeper.pid(), scratch);

        FixtureJvm reaper = fixture(unreadable, List.of(), OrphanReaper.class);

        assertThat(reaper.awaitExit(DEADLINE)).as("exit code of %s", reaper).isZero();
        assertThat(reaper.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 0");
        assertThat(records()).as("records after %s", reaper).hasSize(1);
        assertThat(runDir).as("run directory of a process %s could not see", reaper).isDirectory();
    }

    private ProcessHandle start(String... command) throws IOException {
        Process process = new ProcessBuilder(command).start();
        processes.add(process);
        return process.toHandle();
    }

    private FixtureJvm fixture(List<String> wrapper, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException {
        FixtureJvm fixture = FixtureJvm.startWrapped(wrapper, stateDir, jvmOptions, main, args);
        fixtures.add(fixture);
        return fixture;
    }

    private List<Path> records() throws IOException {
        try (Stream<Path> files = Files.list(stateDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".child")).collect(Collectors.toList());
        }
    }
}
