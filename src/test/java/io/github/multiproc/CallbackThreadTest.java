package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** User callbacks never run on a thread the library needs: a blocked one stalls no SIGKILL and no other child. */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class CallbackThreadTest {

    /** Run in a child: on SIGTERM its shutdown hook never returns, so only SIGKILL ends it. */
    static void ignoreTermThenSleep(String ready) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }));
        Files.writeString(Path.of(ready), "ready");
        Thread.sleep(60_000);
    }

    @Test
    void blockedOnExitCallback_ofAChildFinishedByTheTimer_stallsNoSigkillOfAnother(@TempDir Path dir)
            throws Exception {
        // A's output sink is still busy when A exits: A is finished by the library's timer two seconds later
        CountDownLatch release = new CountDownLatch(1);
        ChildProcess<Void> a = Fork.command("sh", "-c", "echo one; echo two").onOutputLine(line -> {
            try {
                release.await(); // a slow sink
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).start();
        CompletableFuture<String> callbackThread = new CompletableFuture<>();
        a.onExit().thenRun(() -> {
            callbackThread.complete(Thread.currentThread().getName());
            try {
                release.await(); // a user's callback that blocks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(callbackThread.get(30, SECONDS)).isEqualTo("multiproc-callbacks");
            // B ignores SIGTERM: terminate() must escalate to SIGKILL on the timer after its grace period
            String ready = dir.resolve("ready").toString();
            ChildProcess<Void> b = Fork.task(() -> ignoreTermThenSleep(ready)).terminateGrace(Duration.ofMillis(200))
                    .start();
            Await.until(Await.CHILD_DEADLINE, () -> "B not ready", () -> Files.exists(Path.of(ready)));
            b.terminate();
            Optional<ExitStatus> status = b.join(Duration.ofSeconds(20));
            assertThat(status).as("B ended by SIGKILL while A's callback blocks").isPresent();
            assertThat(status.get().signal()).hasValue(9);
            // and the other children's own waits are unaffected
            assertThat(Fork.call(() -> 5).result()).isEqualTo(5);
        } finally {
            release.countDown();
        }
        assertThat(a.join().success()).isTrue();
    }
}
