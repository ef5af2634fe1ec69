package io.github.multiproc.tour;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tour (the README's first command) checks every claim it prints and exits with 1 on the first false one; run
 * here in a JVM of its own, with a state directory of its own, a false claim fails the build.
 */
@Timeout(value = 180, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class TourTest {
    private static final Duration DEADLINE = Duration.ofSeconds(150);

    @TempDir
    Path stateDir;

    @Test
    void main_everyClaimHolds_exitsZero() throws Exception {
        try (FixtureJvm tour = FixtureJvm.start(stateDir, Tour.class)) {
            int code = tour.awaitExit(DEADLINE);
            if (code != 0) {
                // its last lines may still be on their way here
                Await.until(Duration.ofSeconds(5), () -> "exit code " + code + ", but no TOUR FAILED line: " + tour,
                        () -> tour.stderrLines().stream().anyMatch(line -> line.startsWith("TOUR FAILED")));
            }

            assertThat(code).as("exit code of the tour %s", tour).isZero();
            assertThat(tour.awaitLine(line -> line.startsWith("Tour finished"), Duration.ofSeconds(5)))
                    .contains("children left running: 0", "every claim above checked");
        }
    }
}
