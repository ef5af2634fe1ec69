package io.github.multiproc.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doorbell in one JVM: two {@link Doorbell}s on the same segment word and FIFO stand for a sleeper's process and a
 * ringer's, as two processes have one each. That a ring wakes a sleeper of another process, and what it gains, is
 * {@code PipeTest}'s and the pipe benchmark's.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(60)
final class DoorbellTest {
    private static final int WORD = Segment.HEADER;
    private static final long FOREVER = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path stateDir;
    private Segment segment;
    private Path fifo;

    @BeforeEach
    void makeSegmentAndFifo() throws InterruptedException {
        segment = Segment.create(Segment.Kind.PIPE, 64, "a test segment", stateDir);
        fifo = Doorbell.fifoOf(segment.path(), 0);
        Doorbell.make(fifo);
        Await.until(Duration.ofSeconds(10), () -> "mkfifo made " + fifo, () -> Files.exists(fifo));
    }

    /** Waits until a sleeper has named itself in the word. */
    private void awaitAsleep() throws InterruptedException {
        Await.until(Duration.ofSeconds(10), () -> "asleep", () -> segment.getLong(WORD) != 0);
    }

    @AfterEach
    void close() {
        segment.close();
    }

    @Test
    void aRingWakesTheSleeperAndClearsItsWord() throws Exception {
        Doorbell sleeperSide = new Doorbell(segment, WORD, fifo);
        Doorbell ringerSide = new Doorbell(segment, WORD, fifo);
        AtomicBoolean changed = new AtomicBoolean();
        CompletableFuture<Long> slept = CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            assertThat(sleeperSide.sleep(changed::get, FOREVER)).isTrue();
            return System.nanoTime() - t0;
        });
        Await.until(Duration.ofSeconds(10), () -> "the sleeper named in the word",
                () -> segment.getLong(WORD) == ThisProcess.WORD);
        changed.set(true);
        ringerSide.ring();
        assertThat(slept.get(10, TimeUnit.SECONDS)).isLessThan(FOREVER);
        assertThat(segment.getLong(WORD)).isZero();
        sleeperSide.close();
        ringerSide.close();
    }

    @Test
    void aChangeSeenAfterNamingTheSleeperReturnsAtOnce() {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        assertThat(bell.sleep(() -> true, FOREVER)).isTrue();
        assertThat(segment.getLong(WORD)).isZero();
        bell.close();
    }

    @Test
    void aRingWithNoSleeperWritesNothing() {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        bell.ring(); // nobody sleeps: no byte, so the next sleep is not cut short
        long t0 = System.nanoTime();
        assertThat(bell.sleep(() -> false, TimeUnit.MILLISECONDS.toNanos(50))).isTrue();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        bell.close();
    }

    @Test
    void theAlarmEndsASleepAtItsDeadline() {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        long t0 = System.nanoTime();
        assertThat(bell.sleep(() -> false, TimeUnit.MILLISECONDS.toNanos(30))).isTrue();
        long took = System.nanoTime() - t0;
        assertThat(took).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30)).isLessThan(FOREVER);
        assertThat(segment.getLong(WORD)).as("a sleeper that timed out takes its name back").isZero();
        bell.close();
    }

    @Test
    void theAlarmEndsASleepWhoseFifoWasDeleted() throws Exception {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        CompletableFuture<Boolean> slept = CompletableFuture.supplyAsync(
                () -> bell.sleep(() -> false, TimeUnit.MILLISECONDS.toNanos(200)));
        awaitAsleep();
        Files.delete(fifo); // as its creator's close does
        assertThat(slept.get(10, TimeUnit.SECONDS)).isTrue();
        bell.close();
    }

    @Test
    void anInterruptEndsASleepAndStaysSet() throws Exception {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        CountDownLatch asleep = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread sleeper = new Thread(() -> {
            asleep.countDown();
            bell.sleep(() -> false, FOREVER);
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        sleeper.start();
        asleep.await();
        awaitAsleep();
        sleeper.interrupt();
        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
        bell.close();
    }

    @Test
    void closingWakesASleeperOfThisJvmAndLaterSleepsDecline() throws Exception {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        CompletableFuture<Boolean> slept = CompletableFuture.supplyAsync(() -> bell.sleep(() -> false, FOREVER));
        awaitAsleep();
        bell.close();
        assertThat(slept.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bell.sleep(() -> false, FOREVER)).as("a closed doorbell").isFalse();
    }

    @Test
    void aSleepWithoutItsFifo_declines_untilItIsMade() throws Exception {
        Files.delete(fifo);
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        assertThat(bell.sleep(() -> false, FOREVER)).isFalse();
        assertThat(fifo).as("a sleeper never makes it").doesNotExist();
        Doorbell.makeInBackground(segment.path(), fifo);
        Await.until(Duration.ofSeconds(10), () -> "a sleep on it once made", () -> bell.sleep(() -> false,
                TimeUnit.MILLISECONDS.toNanos(5)));
        bell.close();
    }

    @Test
    void fifosOfASegmentClosedWhileTheyAreMade_areDeletedOnceMade() throws Exception {
        Segment closed = Segment.create(Segment.Kind.PIPE, 64, "a segment closed at once", stateDir);
        Path first = Doorbell.fifoOf(closed.path(), 0);
        Path second = Doorbell.fifoOf(closed.path(), 1);
        Doorbell.makeInBackground(closed.path(), first, second);
        closed.close();
        Await.until(Duration.ofSeconds(10), () -> "the FIFOs' makers done", () -> Doorbell.makersRunning() == 0);
        assertThat(first).doesNotExist();
        assertThat(second).doesNotExist();
    }

    @Test
    void aRingWhoseFifoIsGone_isHarmless_andMakesNoFile() throws Exception {
        Files.delete(fifo);
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        segment.putLong(WORD, ThisProcess.WORD); // as a sleeper elsewhere whose FIFO went away
        bell.ring();
        assertThat(segment.getLong(WORD)).isZero();
        assertThat(fifo).doesNotExist(); // a ring never makes a file, nor asks for the FIFO
        bell.close();
    }

    @Test
    void onlyOneThreadOfAJvmSleepsAtATime() throws Exception {
        Doorbell bell = new Doorbell(segment, WORD, fifo);
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> bell.sleep(() -> false, FOREVER));
        awaitAsleep();
        assertThat(bell.sleep(() -> false, FOREVER)).isFalse();
        bell.ring();
        assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
        bell.close();
    }

    @Test
    void theSegmentsFilesGoWithItsFifos() throws InterruptedException {
        Path file = segment.path();
        Path other = Doorbell.fifoOf(file, 1);
        Doorbell.make(other);
        Await.until(Duration.ofSeconds(10), () -> "mkfifo made " + other, () -> Files.exists(other));
        segment.close();
        assertThat(file).doesNotExist();
        assertThat(fifo).doesNotExist();
        assertThat(other).doesNotExist();
    }
}
