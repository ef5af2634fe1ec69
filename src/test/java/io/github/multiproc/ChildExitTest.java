package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a task child ends once it has answered: without closing its channel under its own watch's read (the parent
 * closes it).
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ChildExitTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void exit_afterAnswer_noSocketOptionsInit(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("init.log");
        ChildProcess<Integer> child = Fork.task(() -> 6 * 7)
                .jvmOptions("-Xlog:class+init=info:file=" + log)
                .start();

        assertThat(Await.result(child)).isEqualTo(42);
        assertThat(child.join()).isEqualTo(ExitStatus.of(0));
        String inits = Files.readString(log);
        assertThat(inits).as("the child's class initializations").contains("java/lang/Shutdown'");
        // closing a connected SocketChannel on JDK 21+ while another thread reads it
        assertThat(inits).doesNotContain("sun/nio/ch/Net'");
    }
}
