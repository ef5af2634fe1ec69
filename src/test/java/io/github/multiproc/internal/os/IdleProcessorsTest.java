package io.github.multiproc.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class IdleProcessorsTest {
    private static final String STAT = "cpu  %d 0 %d %d %d 0 10 0 0 0\n"
            + "cpu0 1 0 1 1 0 0 0 0 0 0\n"
            + "cpu1 1 0 1 1 0 0 0 0 0 0\n"
            + "intr 1 2 3\nctxt 99\nbtime 1\nprocesses 5\n";

    private static IdleProcessors reading(long user, long system, long idle, long iowait) {
        return IdleProcessors.parse(String.format(STAT, user, system, idle, iowait));
    }

    @Test
    void since_countsIdleAndIoWaitTicksOverAllTicks_timesTheProcessors() {
        IdleProcessors before = reading(1000, 500, 3000, 100);
        // 200 ticks pass: 150 busy (user 100, system 50), 50 idle (idle 40, iowait 10), over 2 processors
        IdleProcessors after = reading(1100, 550, 3040, 110);
        assertThat(after.since(before)).isCloseTo(2 * 50.0 / 200, within(1e-9));
        assertThat(reading(1000, 500, 3200, 100).since(before)).as("all idle").isCloseTo(2.0, within(1e-9));
        assertThat(reading(1200, 500, 3000, 100).since(before)).as("all busy").isCloseTo(0.0, within(1e-9));
        assertThat(before.since(before)).as("no tick in between").isEqualTo(-1);
    }

    @Test
    void parse_textWithoutTheCpuLine_isNoReading() {
        assertThat(IdleProcessors.parse("intr 1 2 3\nctxt 99\n")).isNull();
    }

    /** On Linux, with every processor spinning, hardly any is idle; on other systems there is no reading. */
    @Test
    void now_readsThisMachine_andSeesItsProcessorsBusy() throws Exception {
        IdleProcessors before = IdleProcessors.now();
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "no /proc/stat here");
        assertThat(before).isNotNull();
        int processors = Runtime.getRuntime().availableProcessors();
        AtomicBoolean spin = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < processors; i++) {
            Thread t = new Thread(() -> {
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            });
            t.start();
            spinners.add(t);
        }
        IdleProcessors start = IdleProcessors.now();
        double idle = -1;
        long deadline = System.nanoTime() + 5_000_000_000L;
        try {
            while (idle < 0 && System.nanoTime() < deadline) { // until a clock tick has passed
                Thread.sleep(50); // sampling: the counters move in clock ticks
                idle = IdleProcessors.now().since(start);
            }
        } finally {
            spin.set(false);
            for (Thread t : spinners) {
                t.join();
            }
        }
        assertThat(idle).as("idle processors while %d threads spun", processors).isBetween(0.0, 0.9);
    }
}
