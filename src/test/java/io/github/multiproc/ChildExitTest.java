package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a task child ends once it has answered: with status 0 as a program whose main returns (no {@code System.exit},
 * whose JDK 21+ logging check scans the class path), without closing its channel under its own watch's read (the
 * parent closes it), its shutdown hooks run, and never kept alive by a thread its task left behind.
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
        // closing a connected SocketChannel on JDK 21+ while another thread reads it
        assertThat(inits).doesNotContain("sun/nio/ch/Net'");
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
}
