package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * While tasks are short a worker is sent several ahead; cancelling one it holds but has not started keeps it from
 * running, without ending the worker, and the answers stay matched to their tasks. (Whether the worker holds it depends on how fast the
 * warm-up tasks were answered; on a loaded machine it may still be queued here, which must behave the same.)
 */
@Timeout(60)
final class PoolPrefetchTest {

    @Test
    void cancel_taskPrefetchedByABusyWorker_neverRuns(@TempDir Path dir) throws Exception {
        Path release = dir.resolve("release");
        Path marker = dir.resolve("marker");
        String releasePath = release.toString();
        String markerPath = marker.toString();
        try (ProcessPool pool = ProcessPool.create(1)) {
            // short tasks first, so that the worker is sent several tasks at a time
            List<CompletableFuture<Integer>> warm = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int x = i;
                warm.add(pool.applyAsync(() -> x));
            }
            for (CompletableFuture<Integer> f : warm) {
                f.get(30, TimeUnit.SECONDS);
            }
            CompletableFuture<Integer> blocker = pool.applyAsync(() -> {
                while (!Files.exists(Path.of(releasePath))) {
                    Thread.sleep(5); // the task's own work: wait until the test releases it
                }
                return 1;
            });
            CompletableFuture<Void> doomed = pool.applyAsync(() -> {
                Files.writeString(Path.of(markerPath), "ran");
            });
            CompletableFuture<Integer> after = pool.applyAsync(() -> 3);
            try {
                Await.until(Duration.ofSeconds(10), () -> "tasks sent or queued: " + pool.stats(),
                        () -> pool.stats().running() + pool.stats().queued() == 3);
                // cancel(false) takes it back only while it is queued here; once the worker holds it, cancel(true)
                // does, without ending the worker, which runs another task
                assertThat(doomed.cancel(false) || doomed.cancel(true)).isTrue();
            } finally {
                Files.writeString(release, "go");
            }

            assertThat(blocker.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(doomed).isCancelled();
            assertThat(pool.apply(() -> 4)).isEqualTo(4);
            assertThat(marker).doesNotExist();
            assertThat(pool.stats().workerRestarts()).isZero();
        }
    }
}
