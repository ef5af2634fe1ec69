package io.github.multiproc.internal.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Fork;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipe's receiver asleep on its doorbell, in a child and in this JVM: what wakes it, and that it wakes. Each
 * receiver sends first: an end that sent waits for an answer, which is when it sleeps on its doorbell; one that only
 * receives reads a stream and waits as the other objects' waiters do ({@code aReceiverThatOnlyReceives...}).
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(120)
final class PipeDoorbellTest {
    private static final Duration ASLEEP = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    @AfterEach
    void noChildLeft() throws Exception {
        LeftoverChildren.endAndDrain();
    }

    /** Waits until a receiver at the second end sleeps on its doorbell. */
    private static void awaitAsleep(SharedPipe pipe, String who) throws InterruptedException {
        Await.until(ASLEEP, () -> who + " asleep on the second end's doorbell", () -> asleep(pipe, 1));
    }

    private static boolean asleep(SharedPipe pipe, int end) {
        return pipe.segment().getLong(SharedPipe.SLEEPER + 8 * end) != 0;
    }

    @Test
    void aChildAsleepOnItsDoorbell_wakesWhenThisJvmSends() throws Exception {
        SharedPipe pipe = new SharedPipe(stateDir);
        try {
            ChildProcess<Object> child = Fork.call(() -> {
                pipe.send(1, "ready"); // an end that sent waits for an answer, on its doorbell
                return pipe.receive(1, null).orElseThrow();
            });
            awaitAsleep(pipe, "the child");
            pipe.send(0, 42);
            assertThat(Await.result(child)).isEqualTo(42);
            assertThat(asleep(pipe, 1)).as("the ring took the sleeper's name").isFalse();
        } finally {
            pipe.close();
        }
    }

    @Test
    void aChildAsleepWithATimeout_getsNothingAfterIt() throws Exception {
        SharedPipe pipe = new SharedPipe(stateDir);
        try {
            ChildProcess<Long> child = Fork.call(() -> {
                pipe.send(1, "ready");
                long t0 = System.nanoTime();
                Optional<Object> got = pipe.receive(1, Duration.ofMillis(400));
                return got.isPresent() ? -1L : System.nanoTime() - t0;
            });
            awaitAsleep(pipe, "the child");
            assertThat(Await.result(child)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
        } finally {
            pipe.close();
        }
    }

    @Test
    void aChildAsleep_seesTheOtherEndClosed() throws Exception {
        SharedPipe pipe = new SharedPipe(stateDir);
        try {
            ChildProcess<Object> child = Fork.call(() -> {
                pipe.send(1, "ready");
                pipe.receive(1, null);
                pipe.send(1, "again");
                return pipe.receive(1, null);
            });
            awaitAsleep(pipe, "the child");
            pipe.send(0, "first"); // this JVM uses end 0 from now on, so its close closes it for the child
            awaitAsleep(pipe, "the child in its second receive");
            pipe.close(0, true);
            assertThat(child.future()).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
                    .havingRootCause().isInstanceOf(IllegalStateException.class)
                    .withMessageContaining("the other end is closed");
        } finally {
            pipe.close();
        }
    }

    @Test
    void aReceiverThatOnlyReceives_waitsWithoutItsDoorbell() throws Exception {
        SharedPipe pipe = new SharedPipe(stateDir);
        try {
            CompletableFuture<Object> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return pipe.receive(1, Duration.ofMillis(300));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.holds(Duration.ofMillis(200), () -> "a stream's reader never names itself sleeper",
                    () -> !asleep(pipe, 1));
            assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(Optional.empty());
        } finally {
            pipe.close();
        }
    }

    @Test
    void aThreadAsleep_isInterruptedAtOnce() throws Exception {
        SharedPipe pipe = new SharedPipe(stateDir);
        try {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread receiver = new Thread(() -> {
                try {
                    pipe.send(1, "ready");
                    pipe.receive(1, null);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            receiver.start();
            awaitAsleep(pipe, "the thread");
            receiver.interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            pipe.send(0, 7); // the doorbell opens again for the next sleep
            CompletableFuture<Object> next = CompletableFuture.supplyAsync(() -> {
                try {
                    pipe.send(1, "ready");
                    return pipe.receive(1, null).orElseThrow();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        } finally {
            pipe.close();
        }
    }
}
