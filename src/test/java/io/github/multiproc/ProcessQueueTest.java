package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ProcessQueue between real processes: task children, pool workers, two children; and its faults. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ProcessQueueTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void put_inTaskChild_parentTakesItemsInOrder() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
            ChildProcess<Void> child = Fork.run(() -> {
                for (int i = 0; i < 1000; i++) {
                    queue.put(i);
                }
            });
            List<Integer> taken = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                taken.add(queue.take());
            }
            assertThat(taken).containsExactlyElementsOf(IntStream.range(0, 1000).boxed()
                    .collect(Collectors.toList()));
            Await.result(child);
            assertThat(queue.size()).isZero();
        }
    }

    @Test
    void take_inTaskChild_getsWhatParentPut() throws Exception {
        try (ProcessQueue<List<String>> queue = ProcessQueue.create()) {
            queue.put(List.of("a", "b"));
            queue.put(new ArrayList<>(List.of("c")));
            ChildProcess<String> child = Fork.call(() -> queue.take() + "" + queue.take());

            assertThat(Await.result(child)).isEqualTo("[a, b][c]");
        }
    }

    @Test
    void twoChildren_shareOneQueue_consumerGetsProducersItems() throws Exception {
        try (ProcessQueue<String> queue = ProcessQueue.create()) {
            ChildProcess<Long> consumer = Fork.call(() -> {
                long sum = 0;
                for (String item = queue.take(); !item.equals("end"); item = queue.take()) {
                    sum += Long.parseLong(item);
                }
                return sum;
            });
            ChildProcess<Void> producer = Fork.run(() -> {
                for (int i = 1; i <= 100; i++) {
                    queue.put(Integer.toString(i));
                }
                queue.put("end");
            });

            Await.result(producer);
            assertThat(Await.result(consumer)).isEqualTo(5050L);
        }
    }

    @Test
    void poolWorkers_putIntoOneQueue_parentTakesAll() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create(); ProcessPool pool = ProcessPool.create(2)) {
            pool.map(x -> {
                queue.put(x * 10);
                return null;
            }, List.of(1, 2, 3, 4));
            List<Integer> taken = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                taken.add(queue.poll(Duration.ofSeconds(10)).orElseThrow());
            }
            assertThat(taken).containsExactlyInAnyOrder(10, 20, 30, 40);
        }
    }

    @Test
    void put_nonSerializableItem_throwsNamingItsClass_nothingEnqueued() throws Exception {
        try (ProcessQueue<Object> queue = ProcessQueue.create()) {
            assertThatThrownBy(() -> queue.put(new Object())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.Object").hasMessageContaining("not serializable");
            assertThatThrownBy(() -> queue.put(List.of(new Thread()))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.Thread");

            assertThat(queue.size()).isZero();
            assertThat(queue.poll(Duration.ofMillis(10))).isEmpty();
        }
    }

    @Test
    void create_capacityNotPositive_throws() {
        assertThatThrownBy(() -> ProcessQueue.create(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be positive, was 0");
    }

    @Test
    void offer_boundedQueueFull_timesOutFalse() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create(2)) {
            assertThat(queue.offer(1, Duration.ZERO)).isTrue();
            assertThat(queue.offer(2, Duration.ZERO)).isTrue();
            long start = System.nanoTime();

            assertThat(queue.offer(3, Duration.ofMillis(100))).isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
            assertThat(queue.size()).isEqualTo(2);
            assertThat(queue.take()).isEqualTo(1);
            assertThat(queue.offer(3, Duration.ZERO)).isTrue();
        }
    }

    @Test
    void poll_emptyQueue_returnsEmptyAfterTimeout() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
            long start = System.nanoTime();

            assertThat(queue.poll(Duration.ofMillis(50))).isEqualTo(Optional.empty());
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        }
    }

    @Test
    void close_byCreatorWhileChildBlocksInTake_childsTakeThrows() throws Exception {
        ProcessQueue<Integer> queue = ProcessQueue.create();
        ProcessEvent waiting = ProcessEvent.create();
        ChildProcess<String> child = Fork.call(() -> {
            queue.size(); // mapped here before the parent closes it
            waiting.set();
            try {
                return "took " + queue.take();
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertThat(waiting.await(Await.CHILD_DEADLINE)).isTrue();

        queue.close();

        assertThat(Await.result(child)).contains("closed by its creator");
        assertThatThrownBy(queue::size).isInstanceOf(IllegalStateException.class);
        queue.close(); // again: nothing happens
    }

    @Test
    void close_elsewhere_releasesOnlyThatJvmsUse() throws Exception {
        try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
            ChildProcess<String> child = Fork.call(() -> {
                queue.put(1);
                queue.close();
                try {
                    queue.put(2);
                    return "put after close";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });

            assertThat(Await.result(child)).contains("closed in this JVM");
            queue.put(3);
            assertThat(List.of(queue.take(), queue.take())).containsExactly(1, 3);
        }
    }

    @Test
    void childKilledMidPut_queueStaysUsable() throws Exception {
        try (ProcessQueue<byte[]> queue = ProcessQueue.create()) {
            ChildProcess<Void> child = Fork.run(() -> {
                byte[] big = new byte[512 * 1024]; // most of a put is spent copying under the queue's lock
                while (true) {
                    queue.put(big);
                }
            });
            for (int i = 0; i < 3; i++) {
                assertThat(queue.poll(Await.CHILD_DEADLINE)).hasValueSatisfying(b -> assertThat(b).hasSize(512 * 1024));
            }
            child.kill();
            child.join();
            // what it put before it died; not poll(Duration.ZERO), which gives up at once while the lock is still
            // held by the dead child (as Python's get_nowait does on a held lock), before a waiter takes it over
            while (queue.poll(Duration.ofSeconds(1)).isPresent()) {
                // drained
            }

            assertThat(queue.offer(new byte[] {7}, Duration.ofSeconds(5))).isTrue();
            assertThat(queue.poll(Duration.ofSeconds(5))).hasValueSatisfying(b -> assertThat(b).containsExactly(7));
        }
    }
}
