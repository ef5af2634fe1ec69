package io.github.multiproc.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RunQueueTest {
    private static int parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return RunQueue.runnable(bytes, bytes.length);
    }

    @Test
    void runnable_isTheCountBeforeTheSlashOfTheFourthField() {
        assertThat(parse("0.52 0.31 0.20 3/412 12345\n")).isEqualTo(3);
        assertThat(parse("10.00 9.00 8.00 17/1024 99\n")).isEqualTo(17);
    }

    @Test
    void runnable_textWithoutACount_isMinusOne() {
        assertThat(parse("")).isEqualTo(-1);
        assertThat(parse("0.52 0.31 0.20\n")).isEqualTo(-1);
        assertThat(parse("/412")).isEqualTo(-1);
    }

    /** On Linux, with a thread more than there are processors spinning, the machine is crowded. */
    @Test
    @Timeout(60)
    void crowded_whileMoreThreadsSpinThanThereAreProcessors_isTrue() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/loadavg")), "Linux only");
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < RunQueue.processors() + 1; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            });
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean crowded = false;
            while (!crowded && System.nanoTime() - deadline < 0) {
                crowded = RunQueue.crowded();
                Thread.onSpinWait();
            }
            assertThat(crowded).as("crowded with %d spinning threads on %d processors", spinners.size(),
                    RunQueue.processors()).isTrue();
        } finally {
            stop.set(true);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }
}
