package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a task child ends once it has answered: with status 0 as a program whose main returns (no {@code System.exit},
 * whose JDK 21+ logging check scans the class path), without closing its channel under its own watch's read (the
 * parent closes it), its shutdown hooks run, and never kept alive by a thread its task left behind; a pool worker
 * told to exit alike.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ChildExitTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void exit_afterAnswer_noClassPathLoggerScanAndNoSocketOptionsInit(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("init.log");
        ChildProcess<Integer> child = Fork.task(() -> 6 * 7)
                .jvmOptions("-Xlog:class+init=info:file=" + log)
                .start();

        assertThat(Await.result(child)).isEqualTo(42);
        assertThat(child.join()).isEqualTo(ExitStatus.of(0));
        String inits = Files.readString(log);
        assertThat(inits).as("the child's class initializations").contains("java/lang/Shutdown'");
        // System.exit on JDK 21+: the system logger's backend lookup, which opens every jar on the class path
        assertThat(inits).doesNotContain("BootstrapLogger$DetectBackend");
        // closing a connected SocketChannel while another thread reads it (JDK 25; not JDK 17)
        assertThat(inits).doesNotContain("sun/nio/ch/Net'");
    }

    @Test
    void poolWorkers_exitAtClose_noSocketOptionsInit(@TempDir Path dir) throws Exception {
        Path meeting = Files.createDirectory(dir.resolve("meeting"));
        String where = meeting.toString();
        try (ProcessPool pool = ProcessPool.builder().workers(2)
                .jvmOptions("-Xlog:class+init=info:file=" + dir.resolve("init-%p.log")).build()) {
            // both workers connected and at work (a worker still starting at close() is ended, not told to exit)
            CompletableFuture<Long> one = pool.applyAsync(() -> pidOnceBothArrived(where));
            CompletableFuture<Long> two = pool.applyAsync(() -> pidOnceBothArrived(where));
            assertThat(one.get()).isNotEqualTo(two.get());
        } // close() tells the workers to exit and waits for them
        List<Path> logs;
        try (Stream<Path> files = Files.list(dir)) {
            logs = files.filter(f -> f.getFileName().toString().startsWith("init-")).collect(Collectors.toList());
        }
        assertThat(logs).hasSize(2);
        for (Path log : logs) {
            String inits = Files.readString(log);
            assertThat(inits).as("the worker's class initializations").contains("java/lang/Shutdown'");
            // (a worker reads its tasks through an object stream, which looks for a logging back-end anyway)
            assertThat(inits).doesNotContain("sun/nio/ch/Net'");
        }
    }

    @Test
    void exit_taskRegisteredShutdownHook_hookRuns(@TempDir Path dir) throws Exception {
        Path mark = dir.resolve("hook-ran");
        String where = mark.toString();
        ChildProcess<Void> child = Fork.run(() -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(Path.of(where), "yes");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })));

        assertThat(child.join()).isEqualTo(ExitStatus.of(0));
        assertThat(mark).hasContent("yes");
    }

    @Test
    void exit_taskLeftNonDaemonThreadRunning_childStillEndsWithZero() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> {
            Thread stuck = new Thread(() -> {
                while (true) {
                    LockSupport.park();
                }
            }, "task-left-running");
            stuck.setDaemon(false);
            stuck.start();
        });

        assertThat(child.join(Await.CHILD_DEADLINE)).hasValue(ExitStatus.of(0));
    }

    /** A pool task: returns this worker's pid once two tasks, each in its own worker, arrived in {@code meeting}. */
    private static long pidOnceBothArrived(String meeting) throws Exception {
        Path dir = Path.of(meeting);
        Files.createFile(dir.resolve(Long.toString(Fork.pid())));
        long deadline = System.nanoTime() + Await.CHILD_DEADLINE.toNanos();
        while (countFiles(dir) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1); // polling for the other worker's arrival, with a deadline
        }
        return Fork.pid();
    }

    private static long countFiles(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
