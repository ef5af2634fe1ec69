package io.github.multiproc.internal.ipc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

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
 * A process that dies in the middle of a put, holding the queue's lock with half an item copied in: the next
 * process takes the lock over, and the queue holds only whole items.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class LockTakeoverTest {
    @TempDir
    Path stateDir;

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void childDiesMidPutHoldingTheLock_nextPutTakesLockOver_queueHoldsOnlyWholeItems() throws Exception {
        SharedQueue queue = new SharedQueue(Integer.MAX_VALUE, stateDir);
        try {
            queue.put("before");
            ChildProcess<Void> child = Fork.run(() -> {
                Segment segment = queue.segment();
                ByteRing ring = new ByteRing(segment, Segment.HEADER, SharedQueue.RING_BYTES);
                ring.lock(Waiter.forever());
                // half an item: bytes after the tail, which does not move
                segment.raw().put(Segment.HEADER + ByteRing.WORDS + 64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
                Runtime.getRuntime().halt(3);
            });
            assertThat(Await.exit(child).code()).isEqualTo(3);

            assertThat(queue.offer("after", Duration.ofSeconds(5))).isTrue();
            assertThat(queue.poll(Duration.ofSeconds(5))).contains("before");
            assertThat(queue.poll(Duration.ofSeconds(5))).contains("after");
            assertThat(queue.size()).isZero();
        } finally {
            queue.close();
        }
    }
}
