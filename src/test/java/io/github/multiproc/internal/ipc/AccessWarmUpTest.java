package io.github.multiproc.internal.ipc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Fork;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up thread of a JVM that receives a shared object: it ends by itself and touches no shared memory; the
 * array it exercises lives on scratch memory and makes no file.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class AccessWarmUpTest {
    private static final String THREAD = "multiproc-ipc-warmup";

    @TempDir
    Path stateDir;

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void handleArrivesInChild_warmUpEndsByItself_sharedWordsUntouched() throws Exception {
        SharedLongs longs = new SharedLongs(2, stateDir);
        SharedLock lock = new SharedLock(stateDir);
        try {
            longs.set(0, 7);
            ChildProcess<Long> child = Fork.call(() -> {
                long deadline = System.nanoTime() + SECONDS.toNanos(30);
                while (warmUpRuns()) { // deadline polling: the thread ends once the operations run compiled
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError(THREAD + " still runs after 30 s");
                    }
                    Thread.onSpinWait();
                }
                lock.lock(null); // free: the warm-up's lock word was its own
                lock.unlock();
                return longs.getAndAdd(0, 1);
            });

            assertThat(Await.result(child)).isEqualTo(7);
            assertThat(longs.get(0)).isEqualTo(8);
            assertThat(longs.get(1)).isZero();
        } finally {
            longs.close();
            lock.close();
        }
    }

    @Test
    void scratchLongs_workAsLongs_andMakeNoFile() throws Exception {
        List<Path> before = segmentFiles();
        SharedLongs scratch = SharedLongs.onScratch(2);
        assertThat(scratch.getAndAdd(1, 5)).isZero();
        assertThat(scratch.compareAndSet(1, 5, 9)).isTrue();
        assertThat(scratch.get(1)).isEqualTo(9);
        assertThat(scratch.get(0)).isZero();
        assertThat(segmentFiles()).isEqualTo(before);
    }

    /**
     * The class-data training's use of each kind of shared object, through copies read from a stream as a child's
     * are: it works, starts no warm-up, makes its files in the work directory it is given (its parent deletes that,
     * whatever becomes of the training JVM), and deletes them itself. In a child of its own: it changes where that
     * JVM makes segments.
     */
    @Test
    void ipcTraining_usesEachKind_inItsWorkDirectory_andLeavesNoFile() throws Exception {
        String work = stateDir.resolve("training-work").toString();
        ChildProcess<List<String>> child = Fork.call(() -> {
            Path dir = Files.createDirectories(Path.of(work));
            java.util.concurrent.atomic.AtomicBoolean madeInWork = new java.util.concurrent.atomic.AtomicBoolean();
            Thread watcher = new Thread(() -> {
                // what the training makes, seen while it runs: all of it in the work directory
                while (!madeInWork.get() && !Thread.currentThread().isInterrupted()) {
                    try (Stream<Path> files = Files.list(dir)) {
                        madeInWork.set(files.findAny().isPresent());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            watcher.start();
            List<Path> shmBefore = segmentFiles();
            IpcTraining.run(dir);
            List<Path> shmAfter = segmentFiles();
            watcher.interrupt();
            watcher.join();
            io.github.multiproc.testing.Await.until(java.time.Duration.ofSeconds(10), () -> "the FIFOs' makers done",
                    () -> Doorbell.makersRunning() == 0);
            try (Stream<Path> left = Files.list(dir)) {
                List<String> seen = new java.util.ArrayList<>(List.of("warm-up " + warmUpRuns(),
                        "shm unchanged " + shmAfter.equals(shmBefore), "left " + left.count()));
                if (madeInWork.get()) {
                    seen.add("made-in-work");
                }
                return seen;
            }
        });
        assertThat(Await.result(child)).containsExactlyInAnyOrder("made-in-work", "warm-up false", "shm unchanged true",
                "left 0");
    }

    private static List<Path> segmentFiles() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(shm)) {
            return files.filter(f -> f.getFileName().toString().startsWith("multiproc-ipc-" + ThisProcess.PID + "-"))
                    .sorted().collect(Collectors.toList());
        }
    }

    private static boolean warmUpRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(THREAD));
    }
}
