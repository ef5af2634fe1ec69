package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel and the task timeout against a worker that was sent several short tasks ahead: a task whose cancel returned
 * true never starts after that, and ending one task never fails another.
 */
@Timeout(value = 180, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolCancelTest {

    /**
     * Run in the worker: records that task {@code i} started, and whether the test had already seen its cancel
     * return true by then (the test writes {@code cancelled-i} right after that).
     */
    static int mark(String dir, int i) throws IOException {
        Path d = Path.of(dir);
        if (Files.exists(d.resolve("cancelled-" + i))) {
            Files.createFile(d.resolve("started-after-cancel-" + i));
        }
        Files.createFile(d.resolve("started-" + i));
        return i;
    }

    private static List<String> files(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted()
                    .collect(Collectors.toList());
        }
    }

    /** Run in the worker: waits (with a deadline) until the test creates {@code go}, then marks task 0. */
    static int waitForGo(String dir) throws IOException, InterruptedException {
        Path d = Path.of(dir);
        Files.createFile(d.resolve("waiting"));
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (!Files.exists(d.resolve("go")) && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait(); // the test's signal: the cancel below races the worker's move to the next task
        }
        return mark(dir, 0);
    }

    @Test
    void cancel_racingTheWorkersMoveToThatTask_trueMeansItNeverStarts_100Rounds(@TempDir Path dir)
            throws Exception {
        int taken = 0;
        int refused = 0;
        try (ProcessPool pool = ProcessPool.create(1)) {
            for (int round = 0; round < 100; round++) {
                pool.map((Integer x) -> x, List.of(1, 2, 3, 4)); // short tasks: the next ones are sent ahead
                Path roundDir = Files.createDirectory(dir.resolve("round-" + round));
                String where = roundDir.toString();
                List<CompletableFuture<Integer>> futures = new ArrayList<>();
                futures.add(pool.applyAsync(() -> waitForGo(where)));
                for (int i = 1; i < 4; i++) {
                    int n = i;
                    futures.add(pool.applyAsync(() -> mark(where, n)));
                }
                Await.until(Duration.ofSeconds(30), () -> "task 0 not running", () ->
                        Files.exists(roundDir.resolve("waiting")));
                // task 1 is on the worker (sent ahead); let task 0 end and cancel task 1 as the worker moves on
                Files.createFile(roundDir.resolve("go"));
                if (futures.get(1).cancel(round % 2 == 0)) {
                    Files.createFile(roundDir.resolve("cancelled-1"));
                    taken++;
                } else {
                    refused++;
                }
                for (int i = 0; i < 4; i++) {
                    CompletableFuture<Integer> f = futures.get(i);
                    try {
                        assertThat(f.get(30, SECONDS)).isEqualTo(i);
                        assertThat(roundDir.resolve("started-" + i)).exists();
                    } catch (CancellationException e) {
                        assertThat(roundDir.resolve("cancelled-" + i)).exists();
                    }
                }
                assertThat(files(roundDir, "started-after-cancel-")).as("round %d", round).isEmpty();
            }
        }
        assertThat(taken).as("cancels that took the task back").isPositive();
        assertThat(refused).as("cancel(false) of a task the worker had").isPositive();
    }

    /** A result that this JVM is slow to read: its answer is in, but not yet taken in, for half a second. */
    static final class SlowToRead implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException,
                InterruptedException {
            in.defaultReadObject();
            Thread.sleep(500); // on this JVM's reader thread: the worker has answered and moved on meanwhile
        }
    }

    @Test
    void timeout_dueWhileTheAnswerIsBeingRead_neverFailsTheTaskTheWorkerMovedOnTo() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        try (ProcessPool pool = ProcessPool.builder().workers(1).taskTimeout(timeout).build()) {
            for (int round = 0; round < 3; round++) {
                pool.map((Integer x) -> x, List.of(1, 2, 3, 4)); // short tasks: the next ones are sent ahead
                CompletableFuture<SlowToRead> answeredInTime = pool.applyAsync(() -> {
                    Thread.sleep(timeout.toMillis() - 100);
                    return new SlowToRead();
                });
                CompletableFuture<Integer> next = pool.applyAsync(() -> {
                    Thread.sleep(timeout.toMillis() - 50); // within the timeout; running when it comes due above
                    return 7;
                });
                // the timeout comes due while this JVM reads the first answer: it fails that task (this JVM cannot
                // tell it was in time), but the worker, which has moved on, must not be ended under the next one
                Throwable first = org.assertj.core.api.Assertions.catchThrowable(answeredInTime::join);
                if (first != null) {
                    assertThat(first).cause().isInstanceOf(TaskTimeoutException.class);
                }
                assertThat(next.join()).as("round %d", round).isEqualTo(7);
            }
        }
    }
}
