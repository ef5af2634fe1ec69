package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import io.github.multiproc.testing.OsProcess;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** terminate() and kill(): the whole process tree, the grace period, and the statuses they leave. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class TerminateTest {
    private long grandchild = -1;

    @AfterEach
    void endChildren() throws InterruptedException {
        if (grandchild > 0 && OsProcess.isRunning(grandchild)) {
            OsProcess.killQuietly(grandchild);
        }
        LeftoverChildren.endAndDrain();
    }

    @Test
    void terminate_childWithGrandchild_grandchildEndsToo() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        ChildProcess<Void> child = Fork.command("sh", "-c", "sleep 1000 & echo $!; wait")
                .onOutputLine(lines::add)
                .start();
        String first = lines.poll(30, SECONDS);
        assertThat(first).as("the grandchild's pid, printed by sh").isNotNull().matches("\\d+");
        grandchild = Long.parseLong(first);
        assertThat(OsProcess.isRunning(grandchild)).as("grandchild %s", OsProcess.describe(grandchild)).isTrue();

        child.terminate();

        Await.until(Duration.ofSeconds(5), () -> "grandchild ended: " + OsProcess.describe(grandchild),
                () -> !OsProcess.isRunning(grandchild));
        ExitStatus status = Await.exit(child, Duration.ofSeconds(5));
        assertThat(status.signal()).hasValue(15);
        assertThat(status.code()).isEqualTo(143);
        assertThat(status.waitStatus()).isEqualTo(15);
    }

    @Test
    void terminate_childIgnoresSigterm_killedAfterGrace() throws Exception {
        CountDownLatch trapped = new CountDownLatch(1);
        ChildProcess<Void> child = Fork.command("sh", "-c",
                        "trap '' TERM; echo trapped; while true; do sleep 0.1; done")
                .terminateGrace(Duration.ofMillis(300))
                .onOutputLine(line -> {
                    if (line.equals("trapped")) {
                        trapped.countDown();
                    }
                })
                .start();
        assertThat(trapped.await(30, SECONDS)).as("the shell installed its trap").isTrue();

        long start = System.nanoTime();
        child.terminate();
        ExitStatus status = Await.exit(child, Duration.ofSeconds(10));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(status.signal()).hasValue(9);
        assertThat(status.code()).isEqualTo(137);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
    }

    @Test
    void kill_runningCommand_signal9() throws Exception {
        ChildProcess<Void> child = Fork.exec("sleep", "1000");

        child.kill();
        ExitStatus status = Await.exit(child, Duration.ofSeconds(10));

        assertThat(status.signal()).hasValue(9);
        assertThat(status.waitStatus()).isEqualTo(9);
        assertThat(status.code()).isEqualTo(137);
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void kill_childWithGrandchild_grandchildKilledToo() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        ChildProcess<Void> child = Fork.command("sh", "-c", "sleep 1000 & echo $!; wait")
                .onOutputLine(lines::add)
                .start();
        String first = lines.poll(30, SECONDS);
        assertThat(first).as("the grandchild's pid, printed by sh").isNotNull().matches("\\d+");
        grandchild = Long.parseLong(first);

        child.kill();

        Await.until(Duration.ofSeconds(5), () -> "grandchild ended: " + OsProcess.describe(grandchild),
                () -> !OsProcess.isRunning(grandchild));
        assertThat(Await.exit(child, Duration.ofSeconds(5)).signal()).hasValue(9);
    }

    @Test
    void terminate_taskChild_signal15() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        ChildProcess<Void> child = Fork.task(() -> {
            System.out.println("started");
            System.out.flush();
            Thread.sleep(60_000);
        }).onOutputLine(line -> started.countDown()).start();
        assertThat(started.await(30, SECONDS)).isTrue();

        child.terminate();

        ExitStatus status = Await.exit(child, Duration.ofSeconds(10));
        assertThat(status.signal()).hasValue(15);
        assertThat(status.waitStatus()).isEqualTo(15);
    }

    @Test
    void terminateAndKill_afterExit_doNothing() throws Exception {
        ChildProcess<Void> child = Fork.exec("true");
        ExitStatus status = Await.exit(child);

        child.terminate();
        child.kill();

        assertThat(child.exitStatus()).hasValue(status);
        assertThat(status.success()).isTrue();
    }
}
