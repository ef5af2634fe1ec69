package io.github.multiproc.internal.ipc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Fork;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock's fast paths read only its word, not the segment's closed mark: its creator's close poisons the word after
 * marking the segment closed, so that a holder's unlock, a taker's lock and a waiter all fail with the closed mark's
 * message, in the creator and in other processes alike.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class LockCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path stateDir;

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void creatorClosesWhileItHoldsIt_unlockAndLockThrowClosed() throws Exception {
        SharedLock lock = new SharedLock(stateDir);
        assertThat(lock.lock(null)).isTrue();
        lock.close();
        assertThatThrownBy(() -> lock.unlock()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> lock.lock(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void creatorClosesWhileAChildHoldsIt_childsUnlockAndNextLockThrowClosed_aWaiterToo() throws Exception {
        SharedLock lock = new SharedLock(stateDir);
        SharedEvent held = new SharedEvent(stateDir);
        SharedEvent closed = new SharedEvent(stateDir);
        try {
            ChildProcess<String> holder = Fork.call(() -> {
                lock.lock(null);
                held.set();
                closed.await(WAIT);
                String unlock = outcome(() -> {
                    lock.unlock();
                    return "unlocked";
                });
                String relock = outcome(() -> lock.lock(Duration.ofSeconds(5)));
                return unlock + " | " + relock;
            });
            assertThat(held.await(WAIT)).isTrue();
            // a waiter in this JVM's own thread: it spins on the child's word until the word is poisoned
            java.util.concurrent.CompletableFuture<String> waiter = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> outcome(() -> lock.lock(null)));
            lock.close();
            closed.set();
            assertThat(Await.result(holder)).matches("IllegalStateException: ProcessLock .*closed by its creator.*"
                    + " \\| IllegalStateException: ProcessLock .*closed by its creator.*");
            assertThat(waiter.get(30, SECONDS)).startsWith("IllegalStateException: ProcessLock").contains("closed");
        } finally {
            held.close();
            closed.close();
        }
    }

    private interface Call {
        Object call() throws Exception;
    }

    private static String outcome(Call call) {
        try {
            return "returned " + call.call();
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
