package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ProcessEvent and ProcessLock between real processes, and a lock whose holder dies. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ProcessEventLockTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void event_setInChild_parentsAwaitReturns_andBack() throws Exception {
        ProcessEvent childUp = ProcessEvent.create();
        ProcessEvent go = ProcessEvent.create();
        ChildProcess<Boolean> child = Fork.call(() -> {
            childUp.set();
            go.await();
            return go.isSet();
        });

        assertThat(childUp.await(Await.CHILD_DEADLINE)).isTrue();
        assertThat(go.isSet()).isFalse();
        go.set();
        assertThat(Await.result(child)).isTrue();
        go.clear();
        assertThat(go.isSet()).isFalse();
    }

    @Test
    void event_awaitNotSet_returnsFalseAfterTimeout() throws Exception {
        ProcessEvent event = ProcessEvent.create();
        long start = System.nanoTime();

        assertThat(event.await(Duration.ofMillis(50))).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    }

    @Test
    void lock_twoChildrenCountUnderIt_noIncrementLost() throws Exception {
        ProcessLock lock = ProcessLock.create();
        try (SharedLongArray counter = SharedLongArray.create(1)) {
            SerializableRunnable add = () -> {
                for (int i = 0; i < 20_000; i++) {
                    lock.lock();
                    try {
                        counter.set(0, counter.get(0) + 1); // not atomic: only the lock keeps increments
                    } finally {
                        lock.unlock();
                    }
                }
            };
            ChildProcess<Void> first = Fork.run(add);
            ChildProcess<Void> second = Fork.run(add);
            Await.result(first);
            Await.result(second);

            assertThat(counter.get(0)).isEqualTo(40_000);
        }
    }

    @Test
    void lock_holderKilledHoldingIt_waiterTakesItOver() throws Exception {
        ProcessLock lock = ProcessLock.create();
        ProcessEvent held = ProcessEvent.create();
        ChildProcess<Void> holder = Fork.run(() -> {
            lock.lock();
            held.set();
            Thread.sleep(60_000); // holds it until killed
        });
        assertThat(held.await(Await.CHILD_DEADLINE)).isTrue();
        assertThat(lock.tryLock(Duration.ofMillis(100))).isFalse();

        holder.kill();
        Await.exit(holder);

        assertThat(lock.tryLock(Duration.ofSeconds(5))).isTrue();
        lock.unlock();
    }

    @Test
    void unlock_byProcessThatDoesNotHoldIt_throws() throws Exception {
        ProcessLock lock = ProcessLock.create();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("not locked");
        lock.lock();
        ChildProcess<String> child = Fork.call(() -> {
            try {
                lock.unlock();
                return "unlocked";
            } catch (IllegalMonitorStateException e) {
                return e.getMessage();
            }
        });

        assertThat(Await.result(child)).contains("pid " + Fork.pid() + " does");
        lock.unlock();
        assertThat(lock.tryLock(Duration.ZERO)).isTrue();
    }

    @Test
    void lock_heldByChild_parentWaitsUntilReleased() throws Exception {
        ProcessLock lock = ProcessLock.create();
        ProcessEvent held = ProcessEvent.create();
        ProcessEvent release = ProcessEvent.create();
        ChildProcess<Void> child = Fork.run(() -> {
            lock.lock();
            held.set();
            release.await();
            lock.unlock();
        });
        assertThat(held.await(Await.CHILD_DEADLINE)).isTrue();
        assertThat(lock.tryLock(Duration.ofMillis(50))).isFalse();

        release.set();
        assertThat(lock.tryLock(Await.CHILD_DEADLINE)).isTrue();
        lock.unlock();
        Await.result(child);
    }
}
