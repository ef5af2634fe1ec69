package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SharedLongArray and SharedMemory between real processes; sizes, indexes and close. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class SharedMemoryTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void longs_getAndAddFromTwoChildrenAndPool_noneLost() throws Exception {
        try (SharedLongArray longs = SharedLongArray.create(3); ProcessPool pool = ProcessPool.create(2)) {
            SerializableRunnable add = () -> {
                for (int i = 0; i < 50_000; i++) {
                    longs.getAndAdd(0, 1);
                }
            };
            ChildProcess<Void> first = Fork.run(add);
            ChildProcess<Void> second = Fork.run(add);
            pool.map(x -> longs.getAndAdd(1, x), List.of(1, 2, 3, 4));
            Await.result(first);
            Await.result(second);

            assertThat(longs.get(0)).isEqualTo(100_000);
            assertThat(longs.get(1)).isEqualTo(10);
            assertThat(longs.get(2)).isZero();
        }
    }

    @Test
    void longs_compareAndSetInChild_seenByParent() throws Exception {
        try (SharedLongArray longs = SharedLongArray.create(1)) {
            longs.set(0, 5);
            ChildProcess<Boolean> child = Fork.call(() -> longs.compareAndSet(0, 4, 9) || longs.compareAndSet(0, 5, 6));

            assertThat(Await.result(child)).isTrue();
            assertThat(longs.get(0)).isEqualTo(6);
            assertThat(longs.length()).isEqualTo(1);
        }
    }

    @Test
    void longs_badIndexOrLength_throw() {
        assertThatThrownBy(() -> SharedLongArray.create(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
        try (SharedLongArray longs = SharedLongArray.create(2)) {
            assertThatThrownBy(() -> longs.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> longs.set(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> longs.getAndAdd(2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void memory_writtenByChild_readByParent_zeroFilledAndSized() throws Exception {
        try (SharedMemory memory = SharedMemory.create(10_000)) {
            ByteBuffer buffer = memory.buffer();
            assertThat(buffer.capacity()).isEqualTo(10_000).isEqualTo(memory.size());
            assertThat(buffer.isDirect()).isTrue();
            for (int i = 0; i < 10_000; i++) {
                assertThat(buffer.get(i)).isZero();
            }
            Await.result(Fork.run(() -> memory.buffer().putLong(9_992, 42L).put(0, (byte) 7)));

            assertThat(buffer.getLong(9_992)).isEqualTo(42L);
            assertThat(memory.buffer().get(0)).isEqualTo((byte) 7);
        }
    }

    @Test
    void memory_badSize_throws() {
        assertThatThrownBy(() -> SharedMemory.create(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
    }

    @Test
    void close_byCreator_freesFile_laterCallsAnywhereThrow() throws Exception {
        SharedLongArray longs = SharedLongArray.create(1);
        SharedMemory memory = SharedMemory.create(8);
        Path longsFile = Path.of(longs.toString().substring(longs.toString().indexOf('/')));
        Path memoryFile = Path.of(memory.toString().substring(memory.toString().indexOf('/')));
        assertThat(longsFile).exists();
        assertThat(memoryFile).exists();
        ProcessEvent mapped = ProcessEvent.create();
        ProcessEvent closed = ProcessEvent.create();
        ChildProcess<String> child = Fork.call(() -> {
            longs.get(0);
            memory.buffer();
            mapped.set();
            closed.await();
            try {
                longs.getAndAdd(0, 1);
                return "added after close";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertThat(mapped.await(Await.CHILD_DEADLINE)).isTrue();

        longs.close();
        memory.close();
        closed.set();

        assertThat(Await.result(child)).contains("closed by its creator");
        assertThat(Files.exists(longsFile)).isFalse();
        assertThat(Files.exists(memoryFile)).isFalse();
        assertThatThrownBy(() -> longs.get(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(memory::buffer).isInstanceOf(IllegalStateException.class);
        longs.close();
        memory.close();
    }
}
