package io.github.multiproc.internal.reap;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.ForkOnRequest;
import io.github.multiproc.fixtures.OrphanReaper;
import io.github.multiproc.testing.FixtureJvm;
import io.github.multiproc.testing.ProcessWrappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * A JVM's run directory (its channel sockets, key files and argument files) lasts as long as the JVM: made again when
 * something removes it, and never taken for stale by a JVM of another pid namespace. The JVMs are fixtures
 * ({@link ForkOnRequest}, {@link OrphanReaper}) sharing this test's state directory.
 */
@Timeout(value = 120, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class RunDirectoryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Path stateDir;
    private final List<FixtureJvm> fixtures = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        fixtures.forEach(FixtureJvm::close);
    }

    /** What a {@code /tmp} cleaner does to a state directory it finds old, while a JVM still uses it. */
    @Test
    void existing_stateDirectoryRemovedWhileItsJvmRuns_laterForksAndPoolWorkersMakeItAgain() throws Exception {
        stateDir = tmp.resolve("state");
        FixtureJvm parent = fixture(List.of(), ForkOnRequest.class);
        parent.awaitReady(DEADLINE);
        assertThat(ask(parent, "FORK", 1)).isEqualTo("1 OK 42");
        assertThat(ask(parent, "POOL", 2)).isEqualTo("2 OK [2, 4, 6]");
        Path runDir = onlyRunDirectory();
        // this test JVM's class path, which the fixture's children get, is long enough for an argument file
        assertThat(names(runDir)).as("files in %s", runDir).anyMatch(name -> name.startsWith("args-"));

        StateDirectory.deleteTree(stateDir);

        assertThat(ask(parent, "FORK", 3)).as("%s", parent).isEqualTo("3 OK 42");
        assertThat(ask(parent, "POOL", 4)).as("%s", parent).isEqualTo("4 OK [2, 4, 6]");
        for (Path dir : List.of(stateDir, runDir)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).as("mode of %s", dir)
                    .isEqualTo("rwx------");
        }
    }

    /** Two containers sharing {@code /tmp}: the same pid names different processes in each. */
    @Test
    void removeStaleRunDirectories_jvmOfAnotherPidNamespace_keepsItsRunDirectoryAndRecords() throws Exception {
        stateDir = tmp;
        FixtureJvm inner = fixture(ProcessWrappers.otherPidNamespace(), ForkOnRequest.class);
        inner.awaitReady(DEADLINE);
        assertThat(ask(inner, "SLEEP", 1)).startsWith("1 OK ");
        Path innerRunDir = onlyRunDirectory();
        List<String> innerRecords = records();
        assertThat(innerRecords).as("records of %s", inner).hasSize(1);

        FixtureJvm outer = fixture(List.of(), OrphanReaper.class);
        assertThat(outer.awaitExit(DEADLINE)).as("exit code of %s", outer).isZero();

        assertThat(outer.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 0");
        assertThat(records()).as("records after %s", outer).isEqualTo(innerRecords);
        assertThat(innerRunDir).as("run directory of %s after %s", inner, outer).isDirectory();
        assertThat(ask(inner, "FORK", 2)).as("%s", inner).isEqualTo("2 OK 42");
    }

    private FixtureJvm fixture(List<String> wrapper, Class<?> main) throws IOException {
        FixtureJvm fixture = FixtureJvm.startWrapped(wrapper, stateDir, List.of("-Dmultiproc.standby=0"), main);
        fixtures.add(fixture);
        return fixture;
    }

    /** Tells {@link ForkOnRequest} a request and returns its answer, the line that starts with {@code n}. */
    private static String ask(FixtureJvm fixture, String request, int n) throws Exception {
        fixture.tell(request);
        return fixture.awaitLine(line -> line.startsWith(n + " "), DEADLINE);
    }

    private Path onlyRunDirectory() throws IOException {
        List<String> runDirs = names(stateDir).stream().filter(n -> n.startsWith("run-")).collect(Collectors.toList());
        assertThat(runDirs).as("run directories in %s", stateDir).hasSize(1);
        return stateDir.resolve(runDirs.get(0));
    }

    private List<String> records() {
        return RecordedChildren.live(stateDir);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toList());
        }
    }
}
