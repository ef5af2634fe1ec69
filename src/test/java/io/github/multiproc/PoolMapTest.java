package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every map variant against the same computation done in plain Java: {@code map} (default and explicit chunks),
 * {@code mapAsync}, {@code imap}, {@code imapUnordered}, {@code starmap}, empty inputs, failures, and imap's bounded
 * read-ahead over an infinite input.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolMapTest {
    private static final int WORKERS = 2;
    private static final List<Integer> ITEMS = IntStream.range(0, 100).boxed().collect(Collectors.toList());
    private static final SerializableFunction<Integer, Long> FN = x -> (long) x * x + 3L * x + 1;

    private static ProcessPool pool;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.create(WORKERS);
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        if (pool != null) {
            pool.terminate();
            assertThat(pool.join(Duration.ofSeconds(10))).as("terminated %s", pool).isTrue();
        }
    }

    private static List<Long> expected() {
        return ITEMS.stream().map(x -> (long) x * x + 3L * x + 1).collect(Collectors.toList());
    }

    @Test
    void map_defaultChunks_equalsPlainJavaInOrder() {
        long submittedBefore = pool.stats().submitted();

        List<Long> results = pool.map(FN, ITEMS);

        assertThat(results).isEqualTo(expected());
        // ceil(100 / (4 * 2)) = 13 items per chunk: 8 tasks
        assertThat(pool.stats().submitted() - submittedBefore).isEqualTo(8);
    }

    @Test
    void map_chunkSizeOne_equalsPlainJavaWithOneTaskPerItem() {
        long submittedBefore = pool.stats().submitted();

        assertThat(pool.map(FN, ITEMS, 1)).isEqualTo(expected());
        assertThat(pool.stats().submitted() - submittedBefore).isEqualTo(100);
    }

    @Test
    void map_chunkSizeSeven_equalsPlainJavaWithFifteenTasks() {
        long submittedBefore = pool.stats().submitted();

        assertThat(pool.map(FN, ITEMS, 7)).isEqualTo(expected());
        assertThat(pool.stats().submitted() - submittedBefore).isEqualTo(15);
    }

    @Test
    void map_itemsRunOnWorkers_notInThisJvm() {
        List<Long> pids = pool.map(x -> Fork.pid(), ITEMS, 1);

        assertThat(pids).hasSize(ITEMS.size()).doesNotContain(Fork.pid());
        assertThat(pool.workerPids()).containsAll(pids.stream().distinct().collect(Collectors.toList()));
    }

    @Test
    void mapAsync_equalsPlainJava() throws Exception {
        assertThat(pool.mapAsync(FN, ITEMS).get(30, SECONDS)).isEqualTo(expected());
    }

    @Test
    void imap_equalsPlainJavaInOrder() {
        try (Stream<Long> results = pool.imap(FN, ITEMS)) {
            assertThat(results.collect(Collectors.toList())).isEqualTo(expected());
        }
    }

    @Test
    void imapUnordered_sameResultsAsPlainJavaInAnyOrder() {
        try (Stream<Long> results = pool.imapUnordered(FN, ITEMS)) {
            assertThat(results.collect(Collectors.toList())).containsExactlyInAnyOrderElementsOf(expected());
        }
    }

    @Test
    void imapUnordered_slowFirstItem_fastOnesComeFirst() {
        // item 0 sleeps (the work); the others are immediate, so at least one of them finishes before it
        SerializableFunction<Integer, Integer> slowZero = x -> {
            if (x == 0) {
                Thread.sleep(1000);
            }
            return x;
        };
        try (Stream<Integer> results = pool.imapUnordered(slowZero, List.of(0, 1, 2, 3, 4, 5))) {
            List<Integer> order = results.collect(Collectors.toList());
            assertThat(order).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
            assertThat(order.get(0)).as("first of %s", order).isNotZero();
        }
    }

    @Test
    void starmap_pairs_equalsPlainJava() {
        List<Map.Entry<Integer, String>> pairs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pairs.add(Map.entry(i, "s" + i));
        }

        List<String> results = pool.starmap((Integer n, String s) -> s + ":" + (n * 2), pairs);

        assertThat(results).isEqualTo(pairs.stream().map(e -> e.getValue() + ":" + (e.getKey() * 2))
                .collect(Collectors.toList()));
    }

    @Test
    void allVariants_emptyInput_emptyResults() throws Exception {
        List<Integer> none = List.of();
        long submittedBefore = pool.stats().submitted();

        assertThat(pool.map(FN, none)).isEmpty();
        assertThat(pool.map(FN, none, 1)).isEmpty();
        assertThat(pool.map(FN, none, 7)).isEmpty();
        assertThat(pool.mapAsync(FN, none).get(30, SECONDS)).isEmpty();
        try (Stream<Long> ordered = pool.imap(FN, none)) {
            assertThat(ordered).isEmpty();
        }
        try (Stream<Long> unordered = pool.imapUnordered(FN, none)) {
            assertThat(unordered).isEmpty();
        }
        assertThat(pool.starmap((Integer a, Integer b) -> a + b, List.<Map.Entry<Integer, Integer>>of())).isEmpty();
        assertThat(pool.stats().submitted()).isEqualTo(submittedBefore);
    }

    @Test
    void map_functionThrowsForOneItem_childFailedWithItsException() {
        SerializableFunction<Integer, Integer> failOnFive = x -> {
            if (x == 5) {
                throw new IllegalStateException("item " + x);
            }
            return x;
        };

        assertThatThrownBy(() -> pool.map(failOnFive, ITEMS, 3))
                .isInstanceOf(ChildFailedException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("item 5");
        // chunk size 1: each plain item its own plain task
        assertThatThrownBy(() -> pool.map(failOnFive, ITEMS, 1))
                .isInstanceOf(ChildFailedException.class)
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("item 5");
        assertThatThrownBy(() -> pool.mapAsync(failOnFive, ITEMS).get(30, SECONDS))
                .cause()
                .isInstanceOf(ChildFailedException.class);
        try (Stream<Integer> results = pool.imap(failOnFive, ITEMS)) {
            assertThatThrownBy(() -> results.collect(Collectors.toList()))
                    .isInstanceOf(ChildFailedException.class)
                    .cause()
                    .hasMessage("item 5");
        }
        assertThat(pool.map(FN, List.of(1, 2))).containsExactly(5L, 11L);
    }

    @Test
    void map_chunkSizeOne_mixedItems_plainAndOrdinaryInOrder() {
        List<Object> items = java.util.Arrays.asList(1, null, "two", new java.util.ArrayList<>(List.of(3)), 4L,
                new StringBuilder("five"));
        List<Object> out = pool.map((Object x) -> x == null ? "null" : x.getClass().getSimpleName(), items, 1);
        assertThat(out).containsExactly("Integer", "null", "String", "ArrayList", "Long", "StringBuilder");
    }

    @Test
    void map_itemNotSerializable_refusedBySubmittingCall() {
        List<Object> items = List.of("fine", new Object());

        assertThatThrownBy(() -> pool.map(Object::toString, items))
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void imap_infiniteInput_readsOnlyASmallWindowAhead() {
        CountingNaturals naturals = new CountingNaturals();

        try (Stream<Long> results = pool.imap((Long x) -> x * 2, naturals)) {
            assertThat(naturals.pulled()).as("items read before the stream is consumed").isZero();

            List<Long> first = results.limit(1000).collect(Collectors.toList());

            assertThat(first).isEqualTo(doubledNaturals(1000));
            assertThat(naturals.pulled()).as("items read for 1000 results").isBetween(1000L, 1000L + 64);
        }
    }

    @Test
    void imapUnordered_infiniteInput_readsOnlyASmallWindowAhead() {
        CountingNaturals naturals = new CountingNaturals();

        try (Stream<Long> results = pool.imapUnordered((Long x) -> x * 2, naturals)) {
            List<Long> first = results.limit(300).collect(Collectors.toList());

            assertThat(first).hasSize(300).doesNotHaveDuplicates().allMatch(v -> v % 2 == 0);
            assertThat(naturals.pulled()).as("items read for 300 results").isBetween(300L, 300L + 64);
        }
    }

    /** 0, 2, 4, ... ({@code n} of them), to compare with. */
    private static List<Long> doubledNaturals(int n) {
        return IntStream.range(0, n).mapToObj(i -> 2L * i).collect(Collectors.toList());
    }

    /** 0, 1, 2, ... without end, counting how many items were pulled. */
    private static final class CountingNaturals implements Iterable<Long> {
        private final AtomicLong pulled = new AtomicLong();

        long pulled() {
            return pulled.get();
        }

        @Override
        public Iterator<Long> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public Long next() {
                    return pulled.getAndIncrement();
                }
            };
        }
    }
}
